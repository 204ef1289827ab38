// Encodes GPP strings with the IAB's @iabgpp/cmpapi and decodes them again with it, for the
// cross-check in tests/test_gpp.py. stdin: [{"section": name, "fields": {...}}, ...];
// stdout: [{"gpp": string, "decoded": {section: fields}}, ...].
const path = require("path");
const { GppModel } = require(path.join(__dirname, "..", "npm", "node_modules", "@iabgpp", "cmpapi"));

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ section, fields }) => {
    const model = new GppModel();
    for (const [field, value] of Object.entries(fields)) model.setFieldValue(section, field, value);
    const gpp = model.encode();
    return { gpp, decoded: { [section]: new GppModel(gpp).getSection(section) } };
  });
  process.stdout.write(JSON.stringify(out));
});
