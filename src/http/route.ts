/**
 * An API endpoint is one file exporting `defineRoute({...})`: its contract (zod schemas for
 * params, query, body and responses) is used both to validate requests and to generate the
 * OpenAPI document, so the two cannot drift apart.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Action } from '../access/permissions.ts';
import type { IMember } from '../entities/member.ts';
import type { ErrorCode } from '../errors.ts';
import type { Runtime } from '../runtime.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type AuthContext = { member: IMember; workspaceId: string; tokenId: string };

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export type HandlerContext<P, Q, B, A extends boolean> = {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  auth: A extends true ? AuthContext : AuthContext | undefined;
  rt: Runtime;
  /** A fresh entity manager for this request. */
  em: EntityManager;
  req: Request;
  res: Response;
};

export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string> };

export type RouteDefinition<
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  A extends boolean = boolean,
> = {
  method: HttpMethod;
  /** Express-style path relative to /api/v1, e.g. `/connections/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Whether a bearer token is required (default true). */
  auth?: A;
  /** Checked before the handler runs; the handler never sees a caller who may not act. */
  permission?: Action;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * Error codes this route answers beyond those every route can (validation, authentication,
   * permission, an unknown path id, the database being away): documented per status.
   */
  errors?: ErrorCode[];
  handler(ctx: HandlerContext<P, Q, B, A>): Promise<RouteResult>;
};

export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  A extends boolean = true,
>(def: RouteDefinition<P, Q, B, A>): RouteDefinition<P, Q, B, A> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any, any>;
