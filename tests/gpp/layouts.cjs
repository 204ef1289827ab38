// Prints the field layout of every GPP section of the IAB's @iabgpp/cmpapi (the maintained
// reference implementation) as JSON: leakmap/analysis/gpp_sections.json must equal it
// (tests/test_gpp.py). Run: node tests/gpp/layouts.cjs
const path = require("path");
const lib = path.join(__dirname, "..", "npm", "node_modules", "@iabgpp", "cmpapi", "lib", "cjs");
const { Sections } = require(path.join(lib, "encoder", "section", "Sections.js"));

const out = {};
for (const [id, name] of Sections.SECTION_ID_NAME_MAP) {
  // the US national and state sections (uspv1 is its plain-text US Privacy string, no bit fields)
  if (!name.startsWith("us") || name === "uspv1") continue;
  const cls = Object.values(require(path.join(lib, "encoder", "section", `${className(name)}.js`)))[0];
  const section = new cls();
  const segments = section.initializeSegments().map((segment) => segment.getFieldNames().map((field) => {
    const t = segment.fields.get(field);
    if (t.elementBitStringLength !== undefined) return [field, t.elementBitStringLength, t.numElements];
    if (t.bitStringLength !== undefined) return [field, t.bitStringLength];
    if (t.constructor.name === "EncodableBoolean") return [field, 1];
    if (t.constructor.name === "EncodableFixedString") return [field, 6, t.stringLength, "string"];
    throw new Error(`${name}.${field}: ${t.constructor.name}`);
  }));
  out[id] = { name, version: cls.VERSION, segments };
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");

function className(name) { // usnat -> UsNat, usca -> UsCa
  return "Us" + name.charAt(2).toUpperCase() + name.slice(3);
}
