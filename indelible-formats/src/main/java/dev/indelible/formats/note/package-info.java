/**
 * C2SP signed-note (c2sp.org/signed-note): text signed by one or more keys, with Ed25519
 * signatures (signature type {@code 0x01}) and key texts compatible with golang.org/x/mod/sumdb/note.
 *
 * <p>Entry points: {@link dev.indelible.formats.note.NoteKeys} (generate and parse key texts),
 * {@link dev.indelible.formats.note.NoteSigner} and {@link dev.indelible.formats.note.NoteVerifier}
 * (one key each), {@link dev.indelible.formats.note.Notes} (sign, parse and open notes).
 */
package dev.indelible.formats.note;
