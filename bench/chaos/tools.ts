// The tool the chaos run's tool-using sessions offer their agent (`hai-temporal worker --tools bench/chaos/tools.ts`).
import { z } from 'zod';
import { defineTool } from '../../src/tools/registry';

export const tools = [
  defineTool({
    name: 'lookup_order',
    description: 'Look up an order by its id.',
    input: z.object({ id: z.string() }),
    run: ({ id }) => ({ id, status: 'shipped' }),
  }),
];
