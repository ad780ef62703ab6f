import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

/** U+FFFD REPLACEMENT CHARACTER: visible where a NUL was, instead of silently dropping it. */
const REPLACEMENT = '\uFFFD';

const clean = (v: unknown): unknown =>
  typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', REPLACEMENT) : v;

class NulTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = clean(node.value);
    return value === node.value ? super.transformValue(node) : { ...node, value };
  }

  protected override transformPrimitiveValueList(
    node: PrimitiveValueListNode,
  ): PrimitiveValueListNode {
    return node.values.some((v) => typeof v === 'string' && v.includes('\u0000'))
      ? { ...node, values: node.values.map(clean) }
      : super.transformPrimitiveValueList(node);
  }
}

/**
 * PostgreSQL text cannot hold NUL (U+0000): a parameter carrying one fails the whole statement
 * ("invalid byte sequence for encoding UTF8: 0x00"), and a webhook can put one anywhere (JSON
 * `\u0000` in a bounce reason). Every string parameter has its NULs replaced with U+FFFD. Raw
 * bodies are bytea (Buffers, untouched), so a replay still sees the exact bytes.
 */
export class PgTextPlugin implements KyselyPlugin {
  private readonly transformer = new NulTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
