/**
 * A manifest checked against the Kubernetes API's own definitions, twice over:
 * - the JSON schemas generated from the Kubernetes OpenAPI document (kubernetes-models: types,
 *   required fields, enums, formats), and
 * - the field lists of @kubernetes/client-node's models, also generated from that document, for
 *   what the JSON schemas let through: a field the API does not have (`readinesProbe`), which
 *   the API server would drop or refuse instead of applying.
 */
import * as k8s from '@kubernetes/client-node';
import type { Manifest } from './kustomize.js';

type AttributeMap = Array<{ name: string; baseName: string; type: string }>;
type Model = { getAttributeTypeMap(): AttributeMap };
type Validator = new (data: unknown) => { validate(): void };

/** The API groups the manifests use; another one is added here, with its models. */
const JSON_SCHEMA_MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'rbac.authorization.k8s.io/v1': () => import('kubernetes-models/rbac.authorization.k8s.io/v1'),
};

async function jsonSchemaModel(m: Manifest): Promise<Validator> {
  const group = JSON_SCHEMA_MODELS[m.apiVersion];
  if (!group) throw new Error(`no JSON schemas loaded for ${m.apiVersion} (add the group to JSON_SCHEMA_MODELS)`);
  const model = (await group())[m.kind] as Validator | undefined;
  if (!model) throw new Error(`kubernetes-models has no ${m.apiVersion} ${m.kind}`);
  return model;
}

/** `apps/v1` Deployment → V1Deployment; `policy/v1` PodDisruptionBudget → V1PodDisruptionBudget. */
function clientModelName(m: Manifest): string {
  const version = m.apiVersion.split('/').at(-1)!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${m.kind}`;
}

const models = k8s as unknown as Record<string, Model | undefined>;
const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString', 'any', 'object']);

/** Paths of fields the API's model of `type` does not have, below `at`. */
export function unknownFields(value: unknown, type: string, at = ''): string[] {
  if (value === null || value === undefined || SCALARS.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${at}/${i}`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${at}/${k}`)) : [];
  const model = models[type];
  if (!model?.getAttributeTypeMap) throw new Error(`no model ${type} in @kubernetes/client-node (at ${at || '/'})`);
  if (typeof value !== 'object' || Array.isArray(value)) return []; // a wrong type is the JSON schema's to report
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const fieldType = fields.get(key);
    return fieldType === undefined ? [`${at}/${key}`] : unknownFields(v, fieldType, `${at}/${key}`);
  });
}

/** Every problem of one manifest, as readable lines; empty when the API would take it as written. */
export async function schemaProblems(m: Manifest): Promise<string[]> {
  const problems: string[] = [];
  try {
    new (await jsonSchemaModel(m))(structuredClone(m)).validate();
  } catch (err) {
    problems.push(`${m.kind} ${m.metadata?.name}: ${(err as Error).message}`);
  }
  problems.push(...unknownFields(m, clientModelName(m)).map((p) => `${m.kind} ${m.metadata?.name}: ${p} is not a field of ${m.apiVersion} ${m.kind}`));
  return problems;
}
