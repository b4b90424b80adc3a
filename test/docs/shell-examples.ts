/** A fenced shell block of a Markdown page, with the line its first command is on. */
export interface ShellBlock {
  page: string;
  line: number;
  code: string;
}

/** Put on the line before a fence, this keeps a block out of the run (it needs a deployed stack, say). */
export const SKIP_MARKER = '<!-- docs-examples: skip';

/**
 * The `bash`/`sh` blocks of a page that has curl examples, in order (the ones without curl set up what the next use),
 * except those marked with {@link SKIP_MARKER}; none for a page without curl.
 */
export function curlBlocks(page: string, markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const fence = /^```(bash|sh|shell)\s*$/.exec(lines[index]!);
    if (!fence) continue;
    const end = lines.indexOf('```', index + 1);
    const code = lines.slice(index + 1, end).join('\n');
    const previous = lines.slice(0, index).reverse().find((text) => text.trim() !== '') ?? '';
    if (!previous.startsWith(SKIP_MARKER)) blocks.push({ page, line: index + 2, code });
    index = end;
  }
  return blocks.some((block) => /\bcurl\b/.test(block.code)) ? blocks : [];
}

/** Where each physical line leaves the shell: inside a quote, or at the end of a command (no `\`, `|`, `&&` to continue). */
function commandEnds(lines: readonly string[]): boolean[] {
  let quote: "'" | '"' | null = null;
  return lines.map((line) => {
    let comment = false;
    for (let i = 0; i < line.length && !comment; i += 1) {
      const char = line[i];
      if (quote === "'") {
        if (char === "'") quote = null;
      } else if (quote === '"') {
        if (char === '\\') i += 1;
        else if (char === '"') quote = null;
      } else if (char === '\\') i += 1;
      else if (char === "'" || char === '"') quote = char;
      else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) comment = true;
    }
    const code = comment ? line.slice(0, line.search(/(^|\s)#/)) : line;
    return quote === null && !/(\\|\||&&)\s*$/.test(code);
  });
}

/**
 * The block with `CW_EXPECT=<status>; CW_WHERE=<page:line>` before each command that runs curl, for the curl
 * wrapper to check the reply against: the status a trailing `# NNN` comment on the command names, else any 2xx.
 */
export function instrument(block: ShellBlock): string {
  const lines = block.code.split('\n');
  const ends = commandEnds(lines);
  const out: string[] = [];
  let start = 0;
  for (let index = 0; index < lines.length; index += 1) {
    if (!ends[index]) continue;
    const command = lines.slice(start, index + 1);
    const runsCurl = command.some((line) => !/^\s*#/.test(line) && /(^|[\s|$(])curl\s/.test(line));
    if (runsCurl) {
      const expected = /#\s*(\d{3})\b/.exec(lines[index]!.slice(lines[index]!.lastIndexOf('#')))?.[1] ?? '2xx';
      out.push(`CW_EXPECT=${expected}; CW_WHERE='${block.page}:${block.line + start}'`);
    }
    out.push(...command);
    start = index + 1;
  }
  out.push(...lines.slice(start));
  return out.join('\n');
}

/**
 * Bash that defines `curl` as the real one plus a line per call in $CW_LOG: expected status, actual status, exit
 * status, where. A call that dumps its own headers (`-D`) is logged as `skip`: its headers are the doc's to read.
 */
export const CURL_WRAPPER = String.raw`
curl() {
  local headers rc=0 status
  case " $* " in *" -D "*|*" --dump-header "*) command curl "$@" || rc=$?; echo "skip - $rc $CW_WHERE" >> "$CW_LOG"; return $rc;; esac
  headers=$(mktemp)
  command curl -D "$headers" "$@" || rc=$?
  status=$(awk 'toupper($1) ~ /^HTTP\// { s = $2 } END { print s }' "$headers")
  rm -f "$headers"
  echo "${'$'}{CW_EXPECT:-2xx} ${'$'}{status:-none} $rc $CW_WHERE" >> "$CW_LOG"
  return $rc
}
`;
