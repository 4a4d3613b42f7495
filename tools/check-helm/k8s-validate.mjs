import fs from "node:fs";
import { parseAllDocuments } from "yaml";
let ok = 0, bad = 0;
for (const doc of parseAllDocuments(fs.readFileSync(process.argv[2], "utf8"))) {
  const obj = doc.toJS();
  if (!obj) continue;
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
  try {
    const mod = await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${obj.kind}`);
    new mod[obj.kind](obj).validate();
    ok++;
  } catch (e) {
    bad++;
    console.log(`FAIL ${obj.kind}/${obj.metadata?.name}: ${String(e.message).split("\n")[0]}`);
  }
}
console.log(`${ok} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
