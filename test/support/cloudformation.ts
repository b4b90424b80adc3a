/** Reading synthesized CloudFormation in infra tests. */

export type Json = Record<string, unknown>;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A CloudFormation string expression as readable text: `{Ref: X}` becomes `${X}`, `{Fn::GetAtt: [X, Arn]}` `${X.Arn}`, Fn::Join is joined. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if ('Ref' in node) return `\${${String(node.Ref)}}`;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Fn::GetAtt' in node) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::ImportValue' in node) return `\${Import:${render(node['Fn::ImportValue'])}}`;
  return JSON.stringify(value);
}
