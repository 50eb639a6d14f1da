// VS Code language ids from file extensions, for the CLI and the benchmark (the editor knows the id).
const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', tsx: 'typescriptreact', js: 'javascript', jsx: 'javascriptreact', mjs: 'javascript', cjs: 'javascript',
  py: 'python', go: 'go', rs: 'rust', java: 'java', kt: 'kotlin', c: 'c', h: 'c', cpp: 'cpp', cc: 'cpp', hpp: 'cpp',
  cs: 'csharp', rb: 'ruby', php: 'php', swift: 'swift', scala: 'scala', sh: 'shellscript', lua: 'lua', sql: 'sql',
  json: 'json', yaml: 'yaml', yml: 'yaml', md: 'markdown', html: 'html', css: 'css',
};

export function languageIdForPath(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return BY_EXTENSION[ext] ?? 'plaintext';
}
