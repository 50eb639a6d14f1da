import { strict as assert } from 'node:assert';
import {
  ALL_SPECIAL_TOKENS,
  FIM_FAMILIES,
  fimTemplateForModel,
  fimTemplateFromOllamaTemplate,
} from '../../../src/core/shared/fimTemplates';

const DS_BEGIN = '<\uFF5Cfim\u2581begin\uFF5C>';
const DS_HOLE = '<\uFF5Cfim\u2581hole\uFF5C>';
const DS_END = '<\uFF5Cfim\u2581end\uFF5C>';
const DS_EOS = '<\uFF5Cend\u2581of\u2581sentence\uFF5C>';

describe('fimTemplates', () => {
  describe('prompt shape and stops per family', () => {
    const P = 'def f(x):\n    ';
    const S = '\n    return y\n';
    const rows: Array<{ model: string; family: string; prompt: string; stops: string[] }> = [
      { model: 'qwen2.5-coder:1.5b-base', family: 'qwen2.5-coder', prompt: `<|fim_prefix|>${P}<|fim_suffix|>${S}<|fim_middle|>`,
        stops: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_start|>', '<|fim_prefix|>'] },
      { model: 'deepseek-coder-v2:lite', family: 'deepseek-coder', prompt: `${DS_BEGIN}${P}${DS_HOLE}${S}${DS_END}`,
        stops: [DS_EOS, DS_BEGIN] },
      { model: 'codellama:7b-code', family: 'codellama', prompt: `<PRE> <SUF>${S} <MID> ${P}`, stops: ['<EOT>'] },
      { model: 'starcoder2:3b', family: 'starcoder', prompt: `<fim_prefix>${P}<fim_suffix>${S}<fim_middle>`,
        stops: ['<|endoftext|>', '<file_sep>', '<fim_prefix>'] },
      { model: 'codestral:22b', family: 'codestral', prompt: `[SUFFIX]${S}[PREFIX] ${P}`, stops: ['[PREFIX]', '[SUFFIX]', '</s>'] },
      { model: 'codegemma:2b', family: 'codegemma', prompt: `<|fim_prefix|>${P}<|fim_suffix|>${S}<|fim_middle|>`,
        stops: ['<|file_separator|>', '<|fim_prefix|>'] },
    ];
    for (const row of rows) {
      it(`${row.model} builds ${row.family}'s prompt`, () => {
        const t = fimTemplateForModel(row.model);
        assert.ok(t, `no template for ${row.model}`);
        assert.equal(t.family, row.family);
        assert.equal(t.build(P, S), row.prompt);
        for (const stop of row.stops) assert.ok(t.stop.includes(stop), `${row.family} lacks stop ${stop}`);
        for (const stop of row.stops) assert.ok(ALL_SPECIAL_TOKENS.includes(stop), `ALL_SPECIAL_TOKENS lacks ${stop}`);
        assert.ok(t.source.length > 20, 'each row names its source');
      });
    }

    // Families trained on suffix-first prompts get them: typing then changes only the prompt's end,
    // and the server's KV cache keeps the rest. The others get the order their documentation gives.
    const orders: Array<[string, 'prefix-first' | 'suffix-first']> = [
      ['qwen2.5-coder:1.5b-base', 'prefix-first'], ['deepseek-coder:1.3b-base', 'prefix-first'],
      ['starcoder2:3b', 'prefix-first'], ['codegemma:2b', 'prefix-first'],
      ['codellama:7b-code', 'suffix-first'], ['codestral:22b', 'suffix-first'],
    ];
    for (const [model, order] of orders) {
      it(`${model} is built ${order}, and its prompt says so`, () => {
        const t = fimTemplateForModel(model)!;
        assert.equal(t.order, order);
        const prompt = t.build('PREFIX_TEXT', 'SUFFIX_TEXT');
        assert.equal(prompt.indexOf('SUFFIX_TEXT') < prompt.indexOf('PREFIX_TEXT'), order === 'suffix-first');
        if (order === 'suffix-first') assert.ok(prompt.endsWith('PREFIX_TEXT'), 'the prefix ends the prompt: the model continues it');
      });
    }

    it('deepseek tokens use the full-width bar and the one-eighth block, not ASCII', () => {
      const prompt = fimTemplateForModel('deepseek-coder:6.7b-base')!.build('a', 'b');
      assert.ok(prompt.startsWith('<\u{FF5C}fim\u{2581}begin\u{FF5C}>'));
      assert.ok(!prompt.includes('<|fim'));
    });

    it('every family of the table is reachable by name', () => {
      const names = ['qwen2.5-coder', 'codegemma', 'deepseek-coder', 'codellama', 'starcoder2', 'codestral'];
      assert.deepEqual(names.map((n) => fimTemplateForModel(n)?.family).sort(), [...FIM_FAMILIES].sort());
    });

    it('hands out copies, so a caller adding stops does not change the table', () => {
      fimTemplateForModel('codestral')!.stop.push('\n\n');
      assert.deepEqual(fimTemplateForModel('codestral')!.stop, ['[PREFIX]', '[SUFFIX]', '</s>']);
    });
  });

  describe('fimTemplateForModel name matching', () => {
    const table: Array<[string, string | undefined]> = [
      ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder'],
      ['qwen2.5-coder:7b', 'qwen2.5-coder'],
      ['hf.co/Qwen/Qwen2.5-Coder-1.5B-GGUF:Q4_K_M', 'qwen2.5-coder'],
      ['hf.co/bartowski/Qwen2.5_Coder_7B_Instruct-GGUF', 'qwen2.5-coder'],
      ['deepseek-coder-v2:lite', 'deepseek-coder'],
      ['deepseek-coder:1.3b-base', 'deepseek-coder'],
      ['hf.co/TheBloke/deepseek-coder-6.7B-base-GGUF', 'deepseek-coder'],
      ['codellama:7b-code', 'codellama'],
      ['hf.co/TheBloke/CodeLlama-7B-GGUF', 'codellama'],
      ['starcoder2:3b', 'starcoder'],
      ['starcoder:1b', 'starcoder'],
      ['hf.co/second-state/StarCoder2-3B-GGUF', 'starcoder'],
      ['codestral:22b', 'codestral'],
      ['codestral:latest', 'codestral'],
      ['codegemma:2b', 'codegemma'],
      ['codegemma:7b-code', 'codegemma'],
      ['llama3.2:3b', undefined],
      ['qwen3:8b', undefined],
      ['deepseek-r1:7b', undefined],
      ['mistral:7b', undefined],
      ['', undefined],
    ];
    for (const [name, family] of table) {
      it(`${JSON.stringify(name)} -> ${family ?? 'none'}`, () => {
        assert.equal(fimTemplateForModel(name)?.family, family);
      });
    }
  });

  describe('fimTemplateFromOllamaTemplate', () => {
    const table: Array<[string, string, string | undefined]> = [
      ['qwen2.5-coder instruct',
        '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>\n{{- else if .Messages }}<|im_start|>system\n{{ .System }}<|im_end|>{{ end }}',
        'qwen2.5-coder'],
      ['codegemma 7b',
        '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}<start_of_turn>user\n{{ .Prompt }}<end_of_turn>{{ end }}',
        'codegemma'],
      ['bare pipe FIM (base model)', '<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>', 'pipe-fim'],
      ['deepseek-coder-v2', `${DS_BEGIN}{{ .Prompt }}${DS_HOLE}{{ .Suffix }}${DS_END}`, 'deepseek-coder'],
      ['codellama', '{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{- else }}{{ .Prompt }}{{- end }}', 'codellama'],
      ['starcoder2', '{{- if .Suffix }}<file_sep>\n<fim_prefix>\n{{ .Prompt }}<fim_suffix>{{ .Suffix }}<fim_middle>{{- else }}{{ .Prompt }}{{- end }}', 'starcoder'],
      ['codestral', '{{- if .Suffix }}[SUFFIX]{{ .Suffix }}[PREFIX] {{ .Prompt }}{{- else }}[INST] {{ .Prompt }} [/INST]{{- end }}', 'codestral'],
      ['plain chat template', '{{ if .System }}<|start_header_id|>system<|end_header_id|>{{ end }}{{ .Prompt }}', undefined],
      ['ascii look-alike of deepseek', '<|fim_begin|>{{ .Prompt }}<|fim_hole|>{{ .Suffix }}<|fim_end|>', undefined],
      ['empty', '', undefined],
    ];
    for (const [name, template, family] of table) {
      it(`${name} -> ${family ?? 'none'}`, () => {
        assert.equal(fimTemplateFromOllamaTemplate(template)?.family, family);
      });
    }

    it('the bare pipe template stops on both Qwen and CodeGemma end markers', () => {
      const t = fimTemplateFromOllamaTemplate('<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>')!;
      assert.equal(t.build('a', 'b'), '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>');
      assert.ok(t.stop.includes('<|endoftext|>') && t.stop.includes('<|file_separator|>'));
    });
  });

  describe('ALL_SPECIAL_TOKENS', () => {
    it('holds every family\'s tokens once, longest first', () => {
      assert.equal(new Set(ALL_SPECIAL_TOKENS).size, ALL_SPECIAL_TOKENS.length);
      for (let i = 1; i < ALL_SPECIAL_TOKENS.length; i++) {
        assert.ok(ALL_SPECIAL_TOKENS[i - 1].length >= ALL_SPECIAL_TOKENS[i].length);
      }
      for (const tok of ['<|fim_middle|>', DS_HOLE, '<MID>', '<fim_middle>', '[MIDDLE]', '<|file_separator|>']) {
        assert.ok(ALL_SPECIAL_TOKENS.includes(tok), tok);
      }
    });
  });
});
