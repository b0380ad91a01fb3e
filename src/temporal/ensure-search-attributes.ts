// The session workflow upserts its search attributes; a namespace without them would fail its workflow
// tasks. The worker checks them at start and registers the missing ones where it is allowed to; `hai-temporal
// setup` does the same on demand, and `hai-temporal doctor` reports them.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const INDEXED_VALUE_TYPE = proto.temporal.api.enums.v1.IndexedValueType;

/** What both Temporal connection kinds (client and worker) offer for this. */
export interface OperatorConnection {
  operatorService: {
    listSearchAttributes(
      req: proto.temporal.api.operatorservice.v1.IListSearchAttributesRequest,
    ): Promise<proto.temporal.api.operatorservice.v1.IListSearchAttributesResponse>;
    addSearchAttributes(
      req: proto.temporal.api.operatorservice.v1.IAddSearchAttributesRequest,
    ): Promise<proto.temporal.api.operatorservice.v1.IAddSearchAttributesResponse>;
  };
}

/** Names of the project's search attributes the namespace lacks. */
export async function missingSearchAttributes(connection: OperatorConnection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {}))).map((key) => key.name);
}

/** The Temporal CLI commands that register these search attributes. */
export function searchAttributeCommands(namespace: string, names: readonly string[]): string[] {
  return names.map(
    (name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`,
  );
}

/** Registers the missing search attributes; returns the names it added (empty when none were missing). */
export async function ensureSearchAttributes(connection: OperatorConnection, namespace: string): Promise<string[]> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((name) => [name, INDEXED_VALUE_TYPE.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  } catch (err) {
    throw new Error(
      `namespace "${namespace}" lacks the search attributes ${missing.join(', ')} and they could not be added ` +
        `(${(err as Error).message}). Add them once with:\n  ${searchAttributeCommands(namespace, missing).join('\n  ')}`,
      { cause: err },
    );
  }
  return missing;
}
