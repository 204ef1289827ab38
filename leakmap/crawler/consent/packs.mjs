// Reads consent platforms' own language packs from an installed node_modules folder. Each platform
// keeps its texts its own way (a script assigning a global, a webpack bundle, an ES module, JSON
// files, defaults inside the library), so each has a reader that loads them as the platform does.
// stdin: [[package, reader, path], ...]; stdout: {package: [[file, language, texts], ...]}.
// Usage: node packs.mjs NODE_MODULES_DIR   (run by leakmap.crawler.consent.packs)
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

const root = resolve(process.argv[2]);
const text = (pkg, ...parts) => readFileSync(join(root, pkg, ...parts), "utf8");
const files = (pkg, dir, pattern) => readdirSync(join(root, pkg, dir)).filter((f) => pattern.test(f)).sort();
const perLanguage = (file, all) => Object.keys(all).sort().map((lang) => [`${file}#${lang}`, lang, all[lang]]);

const readers = {
  // lang/tarteaucitron.XX.js assign tarteaucitron.lang (the .min.js twins hold the same texts)
  tarteaucitron(pkg, dir) {
    return files(pkg, dir, /^tarteaucitron\.\w+\.js$/).map((f) => {
      const sandbox = { tarteaucitron: {} };
      vm.runInNewContext(text(pkg, dir, f), sandbox, { filename: f });
      return [`${dir}/${f}`, f.split(".")[1], sandbox.tarteaucitron.lang];
    });
  },
  // klaro's translations bundle (its YAML files compiled by klaro's own build)
  klaro(pkg, file) {
    globalThis.self ??= globalThis;  // the UMD wrapper reads it
    const bundle = createRequire(import.meta.url)(join(root, pkg, file));
    return perLanguage(file, bundle.default ?? bundle);
  },
  // @c15t/translations: an ES module exporting every language
  async c15t(pkg, file) {
    return perLanguage(file, (await import(pathToFileURL(join(root, pkg, file)).href)).baseTranslations);
  },
  // one XX.json file per language
  json(pkg, dir) {
    return files(pkg, dir, /^\w+\.json$/).map((f) => [`${dir}/${f}`, f.split(".")[0], JSON.parse(text(pkg, dir, f))]);
  },
  // Osano cookieconsent: the English defaults of the library's `content` option
  osano(pkg, file) {
    const source = text(pkg, file);
    const start = source.indexOf("content: {");
    if (start < 0) throw new Error(`${pkg}/${file}: no default content found`);
    const open = source.indexOf("{", start);
    return [[`${file}#content`, "en", vm.runInNewContext(`(${source.slice(open, source.indexOf("}", open) + 1)})`)]];
  },
};

const result = {};
for (const [pkg, reader, path] of JSON.parse(readFileSync(0, "utf8"))) result[pkg] = await readers[reader](pkg, path);
process.stdout.write(JSON.stringify(result));
