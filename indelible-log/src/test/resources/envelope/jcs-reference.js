'use strict';
// Reference canonicalizer for the differential test (JsonCanonicalizerDifferentialTest).
// ECMAScript itself formats numbers and strings the RFC 8785 way (JSON.stringify); this program
// only adds member sorting. Objects are serialized by hand in sorted order because a JS object
// lists integer-like keys ("2", "10") before the others whatever their insertion order.
//
// Usage: node jcs-reference.js numbers|documents < input > output
//   numbers:   each input line is 16 hex digits, the bits of an IEEE 754 double;
//              each output line is JSON.stringify of that double.
//   documents: each input line is one JSON text; each output line is its canonical form.
const mode = process.argv[2];
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  const view = new DataView(new ArrayBuffer(8));
  const out = lines.map((line) => {
    if (mode === 'numbers') {
      view.setBigUint64(0, BigInt('0x' + line));
      return JSON.stringify(view.getFloat64(0));
    }
    return canonical(JSON.parse(line));
  });
  process.stdout.write(out.join('\n') + '\n');
});

function canonical(value) {
  if (Array.isArray(value)) {
    return '[' + value.map(canonical).join(',') + ']';
  }
  if (value !== null && typeof value === 'object') {
    // Array.prototype.sort without a comparator compares strings by UTF-16 code units.
    const keys = Object.keys(value).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}
