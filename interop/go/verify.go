// Command verify checks an indelible log with Go's own transparency-log code
// (golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog), written independently of
// indelible. It verifies the signed checkpoint, reads hash tiles through tlog.TileHashReader
// (which authenticates every tile against the signed root), recomputes and checks inclusion
// proofs for every leaf, checks the server's own inclusion and consistency proofs with Go's
// verifier, and checks that every entry hashes to its leaf.
//
// Usage: verify <base-url> <log> <verifier-key> [<older-tree-size>]
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base string

func get(path string) []byte {
	resp, err := http.Get(base + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		fail("GET %s: status %d: %v %s", path, resp.StatusCode, err, body)
	}
	return body
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// checkpoint parses a C2SP tlog-checkpoint body: origin, size, base64 root.
func checkpoint(text string) (string, tlog.Tree) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		fail("checkpoint has %d lines", len(lines))
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("tree size %q: %v", lines[1], err)
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("root hash %q: %v", lines[2], err)
	}
	return lines[0], tlog.Tree{N: n, Hash: h}
}

// c2spTiles reads tiles from the C2SP tlog-tiles API (no height in the path, unlike sumdb).
type c2spTiles struct{ prefix string }

func (c c2spTiles) Height() int { return 8 }

func (c c2spTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		path := strings.TrimPrefix(t.Path(), "tile/8/")
		out[i] = get(c.prefix + "tile/" + path)
	}
	return out, nil
}

func (c c2spTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type proofJSON struct {
	Hashes []string `json:"hashes"`
}

func hashes(body []byte) []tlog.Hash {
	var p proofJSON
	if err := json.Unmarshal(body, &p); err != nil {
		fail("proof JSON: %v", err)
	}
	out := make([]tlog.Hash, len(p.Hashes))
	for i, s := range p.Hashes {
		h, err := tlog.ParseHash(s)
		if err != nil {
			fail("proof hash %q: %v", s, err)
		}
		out[i] = h
	}
	return out
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: verify <base-url> <log> <verifier-key> [<older-tree-size>]")
	}
	base = strings.TrimSuffix(os.Args[1], "/")
	log := os.Args[2]
	verifier, err := note.NewVerifier(os.Args[3])
	if err != nil {
		fail("verifier key: %v", err)
	}
	prefix := "/v1/logs/" + log + "/tlog/"
	msg, err := note.Open(get(prefix+"checkpoint"), note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	origin, tree := checkpoint(msg.Text)
	if origin != verifier.Name() {
		fail("origin %q is not the key name %q", origin, verifier.Name())
	}
	reader := tlog.TileHashReader(tree, c2spTiles{prefix})
	for i := int64(0); i < tree.N; i++ {
		entry := get(fmt.Sprintf("/v1/logs/%s/entries/%d", log, i))
		leaf := tlog.RecordHash(entry)
		proof, err := tlog.ProveRecord(tree.N, i, reader)
		if err != nil {
			fail("prove leaf %d from tiles: %v", i, err)
		}
		if err := tlog.CheckRecord(proof, tree.N, tree.Hash, i, leaf); err != nil {
			fail("leaf %d (tile-derived proof): %v", i, err)
		}
		served := hashes(get(fmt.Sprintf("/v1/logs/%s/proof/inclusion?leafIndex=%d&treeSize=%d", log, i, tree.N)))
		if err := tlog.CheckRecord(tlog.RecordProof(served), tree.N, tree.Hash, i, leaf); err != nil {
			fail("leaf %d (server's inclusion proof): %v", i, err)
		}
	}
	checked := "no consistency proof requested"
	if len(os.Args) > 4 {
		m, err := strconv.ParseInt(os.Args[4], 10, 64)
		if err != nil || m < 1 || m > tree.N {
			fail("older tree size %q", os.Args[4])
		}
		older, err := tlog.TreeHash(m, reader)
		if err != nil {
			fail("root of %d from tiles: %v", m, err)
		}
		served := hashes(get(fmt.Sprintf("/v1/logs/%s/proof/consistency?from=%d&to=%d", log, m, tree.N)))
		if err := tlog.CheckTree(tlog.TreeProof(served), tree.N, tree.Hash, m, older); err != nil {
			fail("consistency %d -> %d: %v", m, tree.N, err)
		}
		checked = fmt.Sprintf("consistency %d -> %d verified", m, tree.N)
	}
	fmt.Printf("ok %s: checkpoint signature, %d leaves (tile-derived and served inclusion proofs), %s, root %s\n",
		origin, tree.N, checked, base64.StdEncoding.EncodeToString(tree.Hash[:]))
}
