// A small word diff for the console's editor: the live redline while typing, in the browser,
// so a keystroke costs no request (the chart's redlines come from projections/redline.py).

const MAX_CELLS = 250000; // beyond this the changed middle is shown as one replacement

const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

// Words and the spaces between them are tokens, so a redline keeps the text's own spacing.
const tokens = (text) => text.split(/(\s+)/).filter((t) => t !== "");

export function wordDiff(before, after) {
  const a = tokens(before || "");
  const b = tokens(after || "");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const midA = a.slice(start, endA), midB = b.slice(start, endB);
  const ops = [];
  if (midA.length * midB.length > MAX_CELLS) {
    if (midA.length) ops.push(["del", midA.join("")]);
    if (midB.length) ops.push(["ins", midB.join("")]);
  } else {
    // Longest common subsequence over the changed middle only.
    const n = midA.length, m = midB.length;
    const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        table[i][j] = midA[i] === midB[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) { ops.push(["same", midA[i]]); i++; j++; }
      else if (j < m && (i === n || table[i][j + 1] >= table[i + 1][j])) { ops.push(["ins", midB[j]]); j++; }
      else { ops.push(["del", midA[i]]); i++; }
    }
  }
  const head = a.slice(0, start).join(""), tail = a.slice(endA).join("");
  let html = escape(head);
  for (const [op, text] of ops) html += op === "same" ? escape(text) : `<${op}>${escape(text)}</${op}>`;
  return html + escape(tail);
}
