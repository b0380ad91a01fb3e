// `hai-temporal/simulator`: the local Agents API, to test pipelines offline (`startSimulator({ port })`).
export * from '../simulator';
