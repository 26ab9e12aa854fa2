// Asks the services' own admin APIs (they own their data; the console only reads).
import { Injectable } from '@nestjs/common';
import { TokenService } from '@cc/platform';
import { OpsConfig } from '../config';

export type ServiceName = 'catalog' | 'orders' | 'fulfillment' | 'payouts';

@Injectable()
export class ServiceAdminClient {
  private readonly token: string;
  constructor(
    private readonly config: OpsConfig,
    tokens: TokenService,
  ) {
    this.token = tokens.sign({ role: 'ops', sub: 'ops-console' });
  }

  /**
   * A request on behalf of the operator (her own token, so the service records who did it), its
   * answer passed on as it is: status, content type and body.
   */
  async forward(
    service: ServiceName,
    method: string,
    path: string,
    operatorToken: string,
    body?: { text: string; type: string },
  ): Promise<{ status: number; type: string; text: string }> {
    try {
      const res = await fetch(`${this.config.serviceUrls[service]}${path}`, {
        method,
        headers: { authorization: `Bearer ${operatorToken}`, ...(body ? { 'content-type': body.type } : {}) },
        body: body?.text,
        signal: AbortSignal.timeout(15_000),
      });
      return {
        status: res.status,
        type: res.headers.get('content-type') ?? 'application/json',
        text: await res.text(),
      };
    } catch (e) {
      return {
        status: 502,
        type: 'application/problem+json',
        text: JSON.stringify({
          type: 'about:blank',
          title: 'Bad Gateway',
          status: 502,
          detail: `${service} did not answer: ${(e as Error).message}`,
        }),
      };
    }
  }

  /** A text answer (a /metrics page), or null if the service does not answer. */
  async text(service: ServiceName, path: string): Promise<string | null> {
    try {
      const res = await fetch(`${this.config.serviceUrls[service]}${path}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(3000),
      });
      return res.ok ? await res.text() : null;
    } catch {
      return null;
    }
  }

  /** The service's /health (terminus answers 503 with the same shape when a part is down), or an `{ unavailable }` note. */
  async health<T>(service: ServiceName): Promise<T | { unavailable: string }> {
    try {
      const res = await fetch(`${this.config.serviceUrls[service]}/health`, { signal: AbortSignal.timeout(3000) });
      if (res.status !== 200 && res.status !== 503) return { unavailable: `answered ${res.status}` };
      return (await res.json()) as T;
    } catch (e) {
      return { unavailable: (e as Error).message };
    }
  }

  /** The JSON answer, or an `{ unavailable }` note the page shows instead of failing. */
  async get<T>(service: ServiceName, path: string): Promise<T | { unavailable: string }> {
    try {
      const res = await fetch(`${this.config.serviceUrls[service]}${path}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) return { unavailable: `${service} answered ${res.status}` };
      return (await res.json()) as T;
    } catch (e) {
      return { unavailable: `${service} did not answer: ${(e as Error).message}` };
    }
  }
}
