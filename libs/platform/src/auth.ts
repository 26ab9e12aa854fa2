// Bearer JWT auth with the roles buyer, seller (bound to one store) and ops.
import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  HttpStatus,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ProblemException } from './http/problem';

export const ROLES = ['buyer', 'seller', 'ops'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The user id (subject). */
  sub: string;
  role: Role;
  /** Set for sellers: the one store they act for. */
  storeId?: string;
}

const ISSUER = 'county-commerce';

export class TokenService {
  /** Made once: given a string, jsonwebtoken first tries (and fails) to parse it as a public key on every verify. */
  private readonly key: KeyObject;
  constructor(private readonly secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(principal: Principal, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
    return jwt.sign(
      { role: principal.role, ...(principal.storeId ? { storeId: principal.storeId } : {}) },
      this.secret,
      {
        subject: principal.sub,
        issuer: ISSUER,
        algorithm: 'HS256',
        expiresIn,
      },
    );
  }

  verify(token: string): Principal {
    const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    const role = claims.role as Role;
    if (!ROLES.includes(role) || typeof claims.sub !== 'string') throw new Error('token has no valid role or subject');
    if (role === 'seller' && typeof claims.storeId !== 'string') throw new Error('seller token has no storeId');
    return { sub: claims.sub, role, ...(role === 'seller' ? { storeId: claims.storeId as string } : {}) };
  }
}

/** The cookie the operations console keeps an operator's token in after login. */
export const TOKEN_COOKIE = 'cc_token';

/** The request's token: `Authorization: Bearer …`, or the console's cookie. */
export function tokenOf(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
  const cookies = typeof request.headers.cookie === 'string' ? request.headers.cookie : '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const PUBLIC = 'auth:public';
const ROLES_KEY = 'auth:roles';
/** No token needed (health, metrics, public catalogue reads, signed webhooks). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Only these roles may call the route (every route not @Public needs a valid token). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined => ctx.switchToHttp().getRequest().principal,
);

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) {
      this.attachIfPresent(context);
      return true;
    }
    const request = context.switchToHttp().getRequest();
    const token = tokenOf(request);
    if (!token) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'a Bearer token is required');
    try {
      request.principal = this.tokens.verify(token);
    } catch (e) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, `the token was refused: ${(e as Error).message}`);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.principal.role)) {
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        `role ${request.principal.role} may not do this (needs ${roles.join(' or ')})`,
      );
    }
    return true;
  }

  private attachIfPresent(context: ExecutionContext): void {
    const request = context.switchToHttp().getRequest();
    const token = tokenOf(request);
    if (token) {
      try {
        request.principal = this.tokens.verify(token);
      } catch {
        /* public route: a bad token just means anonymous */
      }
    }
  }
}

/** Sellers act only for their own store; ops act for any. */
export function canActForStore(principal: Principal, storeId: string): boolean {
  return principal.role === 'ops' || (principal.role === 'seller' && principal.storeId === storeId);
}
