#!/usr/bin/env python3
"""Independent known-answer vectors for indelible-formats, computed with hashlib and the
`cryptography` package only (no indelible code). Rerun: python3 make_vectors.py
Writes cosignature-v1.txt and tlog-proof-v1.txt next to this script.

Specs followed: c2sp.org/signed-note (key ID, Ed25519 signature lines), c2sp.org/tlog-checkpoint,
c2sp.org/tlog-cosignature (cosignature/v1 message, timestamped_signature), c2sp.org/tlog-proof
(header, index, proof lines, blank line, checkpoint), RFC 6962 §2.1 (hashes, PATH).
"""
import base64, hashlib, os, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
b64 = lambda b: base64.b64encode(b).decode()

def raw_pub(priv):
    return priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

def key_id(name, typ, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]

def sig_line(name, kid, sig):
    return "\u2014 " + name + " " + b64(kid + sig) + "\n"

# --- keys (seeds are SHA-256 of fixed labels, so anyone can recompute them) ---
log_seed = hashlib.sha256(b"indelible test log key").digest()
wit_seed = hashlib.sha256(b"indelible test witness key").digest()
log = Ed25519PrivateKey.from_private_bytes(log_seed)
wit = Ed25519PrivateKey.from_private_bytes(wit_seed)
log_name, wit_name = "example.com/indelible-test", "witness.example/w1"
log_pub, wit_pub = raw_pub(log), raw_pub(wit)
log_kid = key_id(log_name, 0x01, log_pub)
wit_kid = key_id(wit_name, 0x04, wit_pub)
log_vkey = f"{log_name}+{log_kid.hex()}+{b64(bytes([1]) + log_pub)}"
log_skey = f"PRIVATE+KEY+{log_name}+{log_kid.hex()}+{b64(bytes([1]) + log_seed)}"
wit_vkey = f"{wit_name}+{wit_kid.hex()}+{b64(bytes([4]) + wit_pub)}"
wit_skey = f"PRIVATE+KEY+{wit_name}+{key_id(wit_name, 0x01, wit_pub).hex()}+{b64(bytes([1]) + wit_seed)}"

# --- RFC 6962 tree over 13 entries ---
entries = [f"entry {i}".encode() for i in range(13)]
leaf = lambda e: hashlib.sha256(b"\x00" + e).digest()
node = lambda l, r: hashlib.sha256(b"\x01" + l + r).digest()

def mth(d):
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf(d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return node(mth(d[:k]), mth(d[k:]))

def path(m, d):
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]

size, index = len(entries), 9
root = mth(entries)
text = f"{log_name}\n{size}\n{b64(root)}\n"
log_sig = log.sign(text.encode())
timestamp = 1700000000
cosig_msg = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
cosig = struct.pack(">Q", timestamp) + wit.sign(cosig_msg)
note = text + "\n" + sig_line(log_name, log_kid, log_sig) + sig_line(wit_name, wit_kid, cosig)

with open(os.path.join(HERE, "cosignature-v1.txt"), "w", encoding="utf-8") as f:
    f.write(f"log-vkey {log_vkey}\nlog-skey {log_skey}\nwitness-vkey {wit_vkey}\nwitness-skey {wit_skey}\n")
    f.write(f"timestamp {timestamp}\n")
    f.write("--- signed checkpoint (log signature, then witness cosignature) ---\n")
    f.write(note)

proof = "c2sp.org/tlog-proof@v1\n" + f"extra {b64(b'receipt context')}\n" + f"index {index}\n"
proof += "".join(b64(h) + "\n" for h in path(index, entries)) + "\n" + text + "\n" + sig_line(log_name, log_kid, log_sig)
with open(os.path.join(HERE, "tlog-proof-v1.txt"), "w", encoding="utf-8") as f:
    f.write(proof)
with open(os.path.join(HERE, "tlog-proof-v1.entry"), "wb") as f:
    f.write(entries[index])
print(log_vkey, wit_vkey, b64(root), sep="\n")
