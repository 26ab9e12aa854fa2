// Stores and products: onboarding, listing and reading.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Category, ProductView } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { badRequest, notFound, unprocessable } from '@cc/platform';
import { ProductEntity, StoreEntity } from '../persistence/entities';
import { ProductQuery, ProductRepository } from '../persistence/product.repository';
import { StockRepository } from '../persistence/stock.repository';

export function toProductView(p: ProductEntity, township: string): ProductView {
  return {
    id: p.id,
    storeId: p.storeId,
    township,
    name: p.name,
    category: p.category,
    priceFen: p.priceFen,
    ...perishabilityOf(p),
    stock: { onHand: p.onHand, reserved: p.reserved, available: p.onHand - p.reserved },
    createdAt: p.createdAt.toISOString(),
  };
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
    private readonly stock: StockRepository,
    private readonly outbox: Outbox,
  ) {}

  async createStore(input: { name: string; township: string }): Promise<StoreEntity> {
    const store = this.dataSource.getRepository(StoreEntity).create({ id: randomUUID(), ...input });
    return this.dataSource.getRepository(StoreEntity).save(store);
  }

  async getStore(id: string): Promise<StoreEntity> {
    const store = await this.dataSource.getRepository(StoreEntity).findOneBy({ id });
    if (!store) throw notFound(`store ${id}`);
    return store;
  }

  async createProduct(storeId: string, input: ProductInput, actor: string): Promise<ProductView> {
    // a lead time means "made to order": only handicrafts are
    if (input.leadTimeDays !== undefined && input.category !== 'handicraft') throw badRequest('leadTimeDays is only for handicraft products', { errors: [{ field: 'leadTimeDays', messages: ['leadTimeDays is only for handicraft products'] }] });
    const store = await this.dataSource.getRepository(StoreEntity).findOneBy({ id: storeId });
    if (!store) throw unprocessable(`store ${storeId} does not exist`);
    return this.dataSource.transaction(async (tx) => {
      const id = randomUUID();
      await tx.getRepository(ProductEntity).insert({
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
      if (input.stock > 0) await this.stock.applyMovements(tx, [{ productId: id, kind: 'initial', onHandDelta: input.stock, reservedDelta: 0, reason: 'initial stock', actor }]);
      await this.announce(tx, id);
      return this.getProduct(id, tx);
    });
  }

  async getProduct(id: string, tx: EntityManager = this.dataSource.manager): Promise<ProductView> {
    const found = await this.products.findWithTownship(tx, [id]);
    if (!found.length) throw notFound(`product ${id}`);
    return toProductView(found[0].product, found[0].township);
  }

  async listProducts(query: ProductQuery) {
    if (query.ids?.length && !query.storeId && !query.category) {
      // products by id (orders pricing a checkout): one statement, no count
      const found = await this.products.findWithTownship(this.dataSource.manager, query.ids);
      const page = found.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
      return { items: page.map((r) => toProductView(r.product, r.township)), page: query.page, pageSize: query.pageSize, total: found.length };
    }
    const { items, total } = await this.products.list(this.dataSource.manager, query);
    return { items: items.map((r) => toProductView(r.product, r.township)), page: query.page, pageSize: query.pageSize, total };
  }

  /** Publishes the product's current state (`product-changed`) in the caller's transaction. */
  async announce(tx: EntityManager, productId: string): Promise<void> {
    const p = await tx.getRepository(ProductEntity).findOneByOrFail({ id: productId });
    await this.outbox.add(tx, [
      {
        type: 'catalog.product-changed',
        key: p.storeId,
        data: { productId: p.id, storeId: p.storeId, name: p.name, category: p.category, priceFen: p.priceFen, onHand: p.onHand, available: p.onHand - p.reserved, ...perishabilityOf(p) },
      },
    ]);
  }
}
