// Layer order inside src/core (see ARCHITECTURE.md). Each folder of src/core has a layer number;
// a file may import from its own folder or from a folder of a LOWER layer, never upward and never
// sideways into another folder of the same layer (so folder cycles cannot form). Files directly
// in src/core (settings.ts) belong to the bottom room, `shared`. A folder missing from the table is an
// error, so a new room has to be given its place before it can be used.
import path from 'node:path';

export const CORE_LAYERS = Object.freeze({
  shared: 0, // src/core/*.ts (the typed settings) and src/core/shared: contracts and utilities: clock, errors, sleep, backend contracts, FIM templates, prices
  cost: 1,
  privacy: 2,
  backends: 3,
  routing: 4,
  completion: 5,
  refactor: 5,
  status: 6,
  setup: 7,
});

const CORE = `${path.sep}src${path.sep}core${path.sep}`;

/** The room of src/core a file sits in (files directly in src/core count as 'shared'), or undefined outside core. */
function coreFolder(file) {
  const at = file.lastIndexOf(CORE);
  if (at < 0) return undefined;
  const rest = file.slice(at + CORE.length).split(path.sep);
  return rest.length === 1 ? 'shared' : rest[0];
}

function isInsideCore(file) {
  return file.lastIndexOf(CORE) >= 0;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'src/core folders import downward only (see ARCHITECTURE.md)' },
    schema: [],
    messages: {
      upward: "'{{from}}' (layer {{fromLayer}}) may not import '{{to}}' (layer {{toLayer}}): imports go downward only. Move the shared piece to a lower layer.",
      sideways: "'{{from}}' and '{{to}}' are both layer {{fromLayer}}: folders of one layer may not import each other. Move the shared piece to a lower layer.",
      unmapped: "src/core folder '{{folder}}' has no layer: add it to CORE_LAYERS in eslint-rules/layerOrder.mjs and to ARCHITECTURE.md.",
      outside: 'src/core may not import {{to}}: core stands alone (src/vscode and src/cli import core, not the reverse).',
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const from = coreFolder(file);
    if (from === undefined) return {};
    const fromLayer = CORE_LAYERS[from];
    function check(node, source) {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      if (!isInsideCore(target + path.sep) && !isInsideCore(target)) {
        context.report({ node, messageId: 'outside', data: { to: spec } });
        return;
      }
      if (fromLayer === undefined) {
        context.report({ node, messageId: 'unmapped', data: { folder: from } });
        return;
      }
      const to = coreFolder(target);
      if (to === undefined || to === from) return;
      const toLayer = CORE_LAYERS[to];
      if (toLayer === undefined) {
        context.report({ node, messageId: 'unmapped', data: { folder: to } });
      } else if (toLayer > fromLayer) {
        context.report({ node, messageId: 'upward', data: { from, to, fromLayer, toLayer } });
      } else if (toLayer === fromLayer) {
        context.report({ node, messageId: 'sideways', data: { from, to, fromLayer } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument),
    };
  },
};

export default { rules: { 'layer-order': rule } };
