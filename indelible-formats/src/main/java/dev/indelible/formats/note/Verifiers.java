package dev.indelible.formats.note;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The set of trusted note keys, looked up by the (key name, key ID) pair that identifies a key
 * (c2sp.org/signed-note §Signatures). Immutable and thread-safe.
 */
public final class Verifiers {
    private record NameAndId(String name, int keyId) {}

    private final Map<NameAndId, NoteVerifier> byKey;

    private Verifiers(Map<NameAndId, NoteVerifier> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    /**
     * The given keys.
     *
     * @throws IllegalArgumentException if two keys share both name and key ID (which would make
     *     verification ambiguous)
     */
    public static Verifiers of(List<? extends NoteVerifier> verifiers) {
        Map<NameAndId, NoteVerifier> map = new HashMap<>();
        for (NoteVerifier verifier : verifiers) {
            NameAndId key = new NameAndId(verifier.name(), verifier.keyId());
            if (map.putIfAbsent(key, verifier) != null) {
                throw new IllegalArgumentException(
                        "ambiguous key " + verifier.name() + "+" + KeyText.hex(verifier.keyId()));
            }
        }
        return new Verifiers(map);
    }

    /** The given keys; see {@link #of(List)}. */
    public static Verifiers of(NoteVerifier... verifiers) {
        return of(List.of(verifiers));
    }

    /** The key with this exact name and key ID, if trusted. */
    public Optional<NoteVerifier> find(String name, int keyId) {
        return Optional.ofNullable(byKey.get(new NameAndId(name, keyId)));
    }

    /** Number of trusted keys. */
    public int size() {
        return byKey.size();
    }
}
