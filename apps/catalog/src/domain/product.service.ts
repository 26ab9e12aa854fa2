// Stores and products: onboarding, listing and reading.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Category, ProductView, StoreStatus } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import {
  badRequest,
  canActForStore,
  Clock,
  conflict,
  forbidden,
  notFound,
  Principal,
  ProblemException,
  unprocessable,
} from '@cc/platform';
import { ProductEntity } from '../persistence/entities';
import { ProductChangeRepository, ProductQuery, ProductRepository } from '../persistence/product.repository';
import { StockRepository } from '../persistence/stock.repository';
import { StoreRepository } from '../persistence/store.repository';

export function toProductView(p: ProductEntity, township: string, storeStatus: StoreStatus): ProductView {
  return {
    id: p.id,
    storeId: p.storeId,
    township,
    name: p.name,
    ...(p.description !== null ? { description: p.description } : {}),
    category: p.category,
    priceFen: p.priceFen,
    ...perishabilityOf(p),
    version: p.version,
    archived: p.archivedAt !== null,
    storeStatus,
    stock: { onHand: p.onHand, reserved: p.reserved, available: p.onHand - p.reserved },
    createdAt: p.createdAt.toISOString(),
  };
}

/** What a seller (or ops) may change of a product; only the fields given change. */
export interface ProductEdit {
  name?: string;
  description?: string;
  priceFen?: number;
  pickupWithinHours?: number | null;
  shelfLifeHours?: number | null;
  leadTimeDays?: number | null;
}

/** The fields an edit really changes, from what to what (an edit that repeats the current value changes nothing). */
export function changesOf(p: ProductEntity, edit: ProductEdit): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(edit) as [keyof ProductEdit, unknown][]) {
    if (to === undefined) continue;
    const from = p[field] ?? null;
    if (from !== to) changes[field] = { from, to };
  }
  return changes;
}

export interface ProductInput {
  name: string;
  category: Category;
  priceFen: number;
  stock: number;
  pickupWithinHours?: number;
  shelfLifeHours?: number;
  leadTimeDays?: number;
}

/** Only the overrides a product has, so orders (and product-changed) carry nothing for the defaults. */
function perishabilityOf(p: ProductEntity): Pick<ProductView, 'pickupWithinHours' | 'shelfLifeHours' | 'leadTimeDays'> {
  return {
    ...(p.pickupWithinHours !== null ? { pickupWithinHours: p.pickupWithinHours } : {}),
    ...(p.shelfLifeHours !== null ? { shelfLifeHours: p.shelfLifeHours } : {}),
    ...(p.leadTimeDays !== null ? { leadTimeDays: p.leadTimeDays } : {}),
  };
}

@Injectable()
export class ProductService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly products: ProductRepository,
    private readonly stores: StoreRepository,
    private readonly changes: ProductChangeRepository,
    private readonly stock: StockRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async createProduct(storeId: string, input: ProductInput, actor: string): Promise<ProductView> {
    // a lead time means "made to order": only handicrafts are
    if (input.leadTimeDays !== undefined && input.category !== 'handicraft')
      throw badRequest('leadTimeDays is only for handicraft products', {
        errors: [{ field: 'leadTimeDays', messages: ['leadTimeDays is only for handicraft products'] }],
      });
    const store = await this.stores.find(this.dataSource.manager, storeId);
    if (!store) throw unprocessable(`store ${storeId} does not exist`);
    return this.dataSource.transaction(async (tx) => {
      const id = randomUUID();
      await this.products.insert(tx, {
        id,
        storeId,
        name: input.name,
        category: input.category,
        priceFen: input.priceFen,
        onHand: 0,
        reserved: 0,
        pickupWithinHours: input.pickupWithinHours ?? null,
        shelfLifeHours: input.shelfLifeHours ?? null,
        leadTimeDays: input.leadTimeDays ?? null,
      });
      if (input.stock > 0)
        await this.stock.applyMovements(tx, [
          {
            productId: id,
            kind: 'initial',
            onHandDelta: input.stock,
            reservedDelta: 0,
            reason: 'initial stock',
            actor,
          },
        ]);
      await this.announce(tx, id, ['created']);
      return this.getProduct(id, tx);
    });
  }

  /**
   * The store's seller or ops edits a product made on `version` (If-Match): 412 if it changed
   * since, nothing written. The product's row is locked, so two edits never cross; the changed
   * fields go to its history and out as product-changed, with the new version.
   */
  async editProduct(
    user: Principal,
    productId: string,
    version: number | undefined,
    edit: ProductEdit,
    archive?: boolean,
  ): Promise<ProductView> {
    return this.dataSource.transaction(async (tx) => {
      const [found] = await this.products.findWithTownship(tx, [productId], true);
      if (!found) throw notFound(`product ${productId}`);
      const p = found.product;
      if (!canActForStore(user, p.storeId)) throw forbidden('a seller may change only her own store’s products');
      if (version !== undefined && version !== p.version)
        throw new ProblemException(
          412,
          `the product is at version ${p.version}, not ${version}: read it again and make the change on what it is now`,
          { version: p.version },
        );
      if (edit.leadTimeDays !== undefined && edit.leadTimeDays !== null && p.category !== 'handicraft')
        throw badRequest('leadTimeDays is only for handicraft products', {
          errors: [{ field: 'leadTimeDays', messages: ['leadTimeDays is only for handicraft products'] }],
        });
      const changes = changesOf(p, edit);
      if (archive !== undefined && archive !== (p.archivedAt !== null))
        changes.archived = { from: p.archivedAt !== null, to: archive };
      if (!Object.keys(changes).length) return toProductView(p, found.township, found.storeStatus);
      const columns = Object.fromEntries(
        Object.entries(changes)
          .filter(([f]) => f !== 'archived')
          .map(([f, c]) => [f, c.to]),
      );
      if (changes.archived) columns.archivedAt = archive ? this.clock.now() : null;
      if (!(await this.changes.update(tx, productId, p.version, columns)))
        throw conflict('the product changed meanwhile; read it again'); // cannot happen under the row lock
      await this.changes.record(tx, productId, p.version + 1, `${user.role}:${user.sub}`, changes);
      await this.announce(tx, productId, Object.keys(changes).sort());
      return this.getProduct(productId, tx);
    });
  }

  /** Who changed what of a product, and when (the store's seller, ops). */
  async history(user: Principal, productId: string) {
    const product = await this.getProduct(productId);
    if (!canActForStore(user, product.storeId)) throw forbidden('a seller sees only her own store’s products’ history');
    const rows = await this.changes.of(this.dataSource.manager, productId);
    return {
      productId,
      version: product.version,
      items: rows.map((r) => ({ version: r.version, by: r.actor, at: r.at.toISOString(), changes: r.changes })),
    };
  }

  async getProduct(id: string, tx: EntityManager = this.dataSource.manager): Promise<ProductView> {
    const found = await this.products.findWithTownship(tx, [id]);
    if (!found.length) throw notFound(`product ${id}`);
    return toProductView(found[0].product, found[0].township, found[0].storeStatus);
  }

  async listProducts(query: ProductQuery) {
    if (query.ids?.length && !query.storeId && !query.category) {
      // products by id (orders pricing a checkout): one statement, no count
      const found = await this.products.findWithTownship(this.dataSource.manager, query.ids);
      const page = found.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
      return {
        items: page.map((r) => toProductView(r.product, r.township, r.storeStatus)),
        page: query.page,
        pageSize: query.pageSize,
        total: found.length,
      };
    }
    const { items, total } = await this.products.list(this.dataSource.manager, query);
    return {
      items: items.map((r) => toProductView(r.product, r.township, r.storeStatus)),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  }

  /** Publishes the product's current state (`product-changed`, with what changed) in the caller's transaction. */
  async announce(tx: EntityManager, productId: string, changed: string[]): Promise<void> {
    const p = await this.products.get(tx, productId);
    await this.outbox.add(tx, [
      {
        type: 'catalog.product-changed',
        key: p.storeId,
        data: {
          productId: p.id,
          storeId: p.storeId,
          version: p.version,
          changed,
          name: p.name,
          category: p.category,
          priceFen: p.priceFen,
          archived: p.archivedAt !== null,
          onHand: p.onHand,
          available: p.onHand - p.reserved,
          ...perishabilityOf(p),
          changedAt: this.clock.now().toISOString(),
        },
      },
    ]);
  }
}
