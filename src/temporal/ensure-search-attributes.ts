// The session workflow upserts its search attributes; a namespace without them would fail its workflow
// tasks. The worker checks them at start and registers the missing ones where it is allowed to.
import type { NativeConnection } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const INDEXED_VALUE_TYPE = proto.temporal.api.enums.v1.IndexedValueType;

export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, INDEXED_VALUE_TYPE.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  } catch (err) {
    const commands = missing
      .map(
        (key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type Keyword`,
      )
      .join('\n  ');
    throw new Error(
      `namespace "${namespace}" lacks the search attributes ${missing.map((k) => k.name).join(', ')} and they could not be added ` +
        `(${(err as Error).message}). Add them once with:\n  ${commands}`,
      { cause: err },
    );
  }
}
