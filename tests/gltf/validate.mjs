// Validate one binary glTF file with the Khronos glTF validator.
// Usage: node tests/gltf/validate.mjs FILE.glb
// Prints the validator's report as JSON on stdout; exits 1 when it has errors, 2 on bad usage.
// Install the validator first: npm ci --prefix tests/gltf
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import validator from 'gltf-validator';

const path = process.argv[2];
if (!path || process.argv.length > 3) {
  console.error('usage: node validate.mjs FILE.glb');
  process.exit(2);
}

let bytes;
try {
  bytes = new Uint8Array(await readFile(path));
} catch (e) {
  console.error(`cannot read ${path}: ${e.message}`);
  process.exit(2);
}

let report;
try {
  report = await validator.validateBytes(bytes, {
    uri: basename(path),
    maxIssues: 0, // 0 = report every issue, not just the first 100
    // A GLB from plan2bim is self-contained; any external reference is itself an error.
    externalResourceFunction: (uri) => Promise.reject(new Error(`external resource ${uri}`)),
  });
} catch (e) {
  // The validator throws (a string, not an Error) when the bytes are not glTF at all.
  console.error(`${path}: ${e?.message ?? e}`);
  process.exit(1);
}
console.log(JSON.stringify(report, null, 1));
process.exit(report.issues.numErrors > 0 ? 1 : 0);
