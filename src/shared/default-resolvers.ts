import { getMetadataStorage } from 'type-graphql';
import { isObjectType, type GraphQLSchema } from 'graphql';

/**
 * type-graphql gives every plain `@Field` a resolver of its own (`root[name]` behind its
 * middleware runner) unless the type is declared with `simpleResolvers`. With no global or field
 * middleware and no auth checker, that resolver does exactly what GraphQL's default resolver does,
 * but graphql-jit cannot inline it: on the reviewer article page it ran ~2,500 times per request.
 * This removes it from every field that reads a same-named property (a getter included) and has no
 * field resolver, middleware or roles; a renamed field (`id` read from `nodeId`) gets a bare
 * property read instead.
 * Returns how many fields it changed.
 */
export function useDefaultFieldResolvers(schema: GraphQLSchema): number {
  const storage = getMetadataStorage();
  const resolved = new Set(storage.fieldResolvers.map((resolver) => resolver.methodName));
  const hasFieldResolver = (target: object, name: string) =>
    resolved.has(name) && storage.fieldResolvers.some((resolver) => resolver.methodName === name && resolver.getObjectType?.() === target);
  let changed = 0;
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    // the type's own fields, those it inherits (connections extend ConnectionResult, etc.) and
    // those of its interfaces (Node's `id`)
    const targets: unknown[] = [...(objectType.interfaceClasses ?? [])];
    for (let target: unknown = objectType.target; typeof target === 'function' && target !== Function.prototype; target = Object.getPrototypeOf(target))
      targets.push(target);
    for (const target of targets) {
      for (const field of storage.fields) {
        if (field.target !== target) continue;
        const graphqlField = fields[field.schemaName];
        if (!graphqlField?.resolve) continue;
        if (field.middlewares?.length || field.roles || hasFieldResolver(field.target, field.name)) continue;
        const property = field.name;
        // a renamed field (`id` from `nodeId`) still needs a resolver, but only a property read
        graphqlField.resolve = property === field.schemaName ? undefined : (source: Record<string, unknown>) => source[property];
        changed++;
      }
    }
  }
  return changed;
}
