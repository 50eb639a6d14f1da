// Fill-in-the-middle prompt formats per model family. Ollama ignores `suffix` in raw mode, so raw
// prompts must carry the family's FIM tokens themselves; the same table gives the stop strings and
// the special tokens that post-processing strips when a model leaks them as text.
//
// Order matters for speed, not only for the model: a llama.cpp-based server (Ollama included)
// reuses its KV cache only for the common start of consecutive prompts. In prefix-suffix-middle
// order a keystroke changes the end of the prefix, so the whole suffix after it is processed again;
// in suffix-first order the suffix stays in front, unchanged while the user types, and only the
// characters typed since the last request are new. Families documented as trained on suffix-first
// prompts (Code Llama, Codestral) are built that way; the others in the order their documentation
// gives, prefix first (StarCoder's and CodeGemma's training mixed in suffix-first, but in a layout
// their released models do not document).

export interface FimTemplate {
  family: string;
  build(prefix: string, suffix: string): string;
  /** 'suffix-first' when `build` puts the suffix before the prefix (the KV cache then survives typing). */
  order: 'prefix-first' | 'suffix-first';
  stop: string[];
  specialTokens: string[];
  /** Where the format and token list were checked. */
  source: string;
}

interface FimFamilyRow extends FimTemplate {
  /** Matched against the normalised model name (lower case, `_` and spaces turned into `-`). */
  namePattern: RegExp;
  /** Recognises the family from the `template` text that Ollama's /api/show returns. */
  recognise(ollamaTemplate: string): boolean;
}

// DeepSeek's tokens use FULLWIDTH VERTICAL LINE (U+FF5C) and LOWER ONE EIGHTH BLOCK (U+2581), not
// ASCII `|` and `_`; a prompt with the ASCII look-alikes is tokenised as plain text.
const DS_BEGIN = '<\uFF5Cfim\u2581begin\uFF5C>';
const DS_HOLE = '<\uFF5Cfim\u2581hole\uFF5C>';
const DS_END = '<\uFF5Cfim\u2581end\uFF5C>';
const DS_EOS = '<\uFF5Cend\u2581of\u2581sentence\uFF5C>';
const DS_BOS = '<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>';

const QWEN_TOKENS = [
  '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|repo_name|>',
  '<|file_sep|>', '<|endoftext|>', '<|im_start|>', '<|im_end|>',
];
const CODEGEMMA_TOKENS = [
  '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>',
  '<start_of_turn>', '<end_of_turn>', '<eos>',
];

const pipeFim = (prefix: string, suffix: string): string =>
  `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;

const FAMILIES: readonly FimFamilyRow[] = [
  {
    family: 'qwen2.5-coder',
    order: 'prefix-first',
    source: 'Qwen2.5-Coder README "file-level code completion (fill-in-the-middle)" and its FIM ' +
      'example eos_token_ids (fim/pad/repo/file_sep, im_end, endoftext); Ollama library template e94a8ecb9327',
    namePattern: /qwen-?2\.5-?coder/,
    build: pipeFim,
    stop: QWEN_TOKENS.slice(),
    specialTokens: QWEN_TOKENS.slice(),
    recognise: (t) => t.includes('<|fim_prefix|>') &&
      ['<|im_start|>', '<|file_sep|>', '<|repo_name|>', '<|endoftext|>'].some((m) => t.includes(m)),
  },
  {
    family: 'codegemma',
    order: 'prefix-first',
    source: 'ai.google.dev/gemma/docs/codegemma/prompt-structure (FIM tokens, <|file_separator|>); ' +
      'Gemma formatting docs (<start_of_turn>, <end_of_turn>, <eos>)',
    namePattern: /code-?gemma/,
    build: pipeFim,
    stop: ['<|file_separator|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<end_of_turn>', '<eos>'],
    specialTokens: CODEGEMMA_TOKENS.slice(),
    recognise: (t) => t.includes('<|fim_prefix|>') &&
      ['<|file_separator|>', '<start_of_turn>', '<end_of_turn>'].some((m) => t.includes(m)),
  },
  {
    family: 'deepseek-coder',
    order: 'prefix-first',
    source: 'deepseek-ai/DeepSeek-Coder README code-insertion example; Ollama library template ' +
      'deepseek-coder-v2 22091531faf0',
    namePattern: /deepseek-?coder/,
    build: (prefix, suffix) => `${DS_BEGIN}${prefix}${DS_HOLE}${suffix}${DS_END}`,
    stop: [DS_BEGIN, DS_HOLE, DS_END, DS_EOS, '<|EOT|>'],
    specialTokens: [DS_BEGIN, DS_HOLE, DS_END, DS_EOS, DS_BOS, '<|EOT|>'],
    recognise: (t) => t.includes(DS_BEGIN),
  },
  {
    family: 'codellama',
    // Suffix first, the format Meta's own code builds with suffix_first=True: half of Code Llama's
    // infilling training was in this order. The spaces are part of the format, as in the
    // prefix-first `<PRE> {pre} <SUF>{suf} <MID>` of Ollama's template (a SentencePiece dummy-prefix
    // space before the first word of each part).
    order: 'suffix-first',
    source: 'facebookresearch/codellama llama/generation.py infilling_prompt_tokens (suffix_first: ' +
      '"<PRE> <SUF>{suf} <MID> {pre}"); Code Llama paper §2.3 (PSM and SPM formats); Ollama docs/template.md "Fill-in-middle"',
    namePattern: /code-?llama/,
    build: (prefix, suffix) => `<PRE> <SUF>${suffix} <MID> ${prefix}`,
    // `</s>` is the Llama tokenizer's end of sequence, leaked as text by some quantisations.
    stop: ['<EOT>', '<PRE>', '<SUF>', '<MID>', '</s>'],
    specialTokens: ['<PRE>', '<SUF>', '<MID>', '<EOT>', '</s>'],
    recognise: (t) => t.includes('<PRE>') && t.includes('<SUF>') && t.includes('<MID>'),
  },
  {
    family: 'starcoder',
    order: 'prefix-first',
    // Ollama's starcoder2 template wraps this in `<file_sep>\n<fim_prefix>\n`; the bare form is the
    // one the model cards document and also suits StarCoder 1, which has no <file_sep>.
    source: 'bigcode StarCoder/StarCoder2 model cards and paper (arXiv 2402.19173 §5 FIM format); ' +
      'Ollama library template starcoder2 3b190e68fefe',
    namePattern: /starcoder/,
    build: (prefix, suffix) => `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`,
    stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<repo_name>'],
    specialTokens: ['<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<fim_pad>', '<file_sep>', '<repo_name>', '<filename>', '<|endoftext|>'],
    recognise: (t) => t.includes('<fim_prefix>'),
  },
  {
    family: 'codestral',
    order: 'suffix-first',
    // Suffix first: Mistral trained Codestral on suffix-prefix-middle order. The space after
    // [PREFIX] matches Ollama's template (SentencePiece's dummy-prefix space before the first word).
    source: 'Ollama docs/template.md "Fill-in-middle" Codestral: `[SUFFIX]{{ .Suffix }}[PREFIX] {{ .Prompt }}`; ' +
      'mistral-common FIM tokens [PREFIX] [SUFFIX] [MIDDLE]',
    namePattern: /codestral/,
    build: (prefix, suffix) => `[SUFFIX]${suffix}[PREFIX] ${prefix}`,
    stop: ['[PREFIX]', '[SUFFIX]', '</s>'],
    specialTokens: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>'],
    recognise: (t) => t.includes('[SUFFIX]') && t.includes('[PREFIX]'),
  },
];

// An Ollama template holding only `<|fim_prefix|>..<|fim_suffix|>..<|fim_middle|>` (e.g. a base
// model's) does not say whether it is Qwen or CodeGemma. Both build the same prompt, so the union of
// their stop strings serves either.
const PIPE_FIM_EITHER: FimTemplate = {
  family: 'pipe-fim',
  order: 'prefix-first',
  source: 'union of the qwen2.5-coder and codegemma rows',
  build: pipeFim,
  stop: unique([...QWEN_TOKENS, '<|file_separator|>', '<end_of_turn>', '<eos>']),
  specialTokens: unique([...QWEN_TOKENS, ...CODEGEMMA_TOKENS]),
};

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function publicView(row: FimFamilyRow): FimTemplate {
  return { family: row.family, build: row.build, order: row.order, stop: row.stop.slice(), specialTokens: row.specialTokens.slice(), source: row.source };
}

/** The names as Ollama and Hugging Face spell them: `qwen2.5-coder:1.5b-base`, `hf.co/Qwen/Qwen2.5-Coder-1.5B-GGUF`. */
export function fimTemplateForModel(modelName: string): FimTemplate | undefined {
  const normalised = modelName.toLowerCase().replace(/[_\s]+/g, '-');
  const row = FAMILIES.find((f) => f.namePattern.test(normalised));
  return row ? publicView(row) : undefined;
}

/** Recognises the family from the `template` field of Ollama's /api/show. */
export function fimTemplateFromOllamaTemplate(template: string): FimTemplate | undefined {
  const row = FAMILIES.find((f) => f.recognise(template));
  if (row) return publicView(row);
  if (template.includes('<|fim_prefix|>')) return { ...PIPE_FIM_EITHER, stop: PIPE_FIM_EITHER.stop.slice(), specialTokens: PIPE_FIM_EITHER.specialTokens.slice() };
  return undefined;
}

/** Every family's special tokens, longest first so a longer token wins over one it contains. */
export const ALL_SPECIAL_TOKENS: readonly string[] = Object.freeze(
  unique(FAMILIES.flatMap((f) => f.specialTokens)).sort((a, b) => b.length - a.length),
);

/** The family names in the table, for diagnostics and tests. */
export const FIM_FAMILIES: readonly string[] = Object.freeze(FAMILIES.map((f) => f.family));
