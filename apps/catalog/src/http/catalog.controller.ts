import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ProductView } from '@cc/contracts';
import {
  badRequest,
  canActForStore,
  CurrentUser,
  forbidden,
  Principal,
  ProblemException,
  Public,
  Roles,
} from '@cc/platform';
import { ProductService } from '../domain/product.service';
import { StockService } from '../domain/stock.service';
import { StoreService, storeView } from '../domain/store.service';
import {
  CreateProductDto,
  CreateStoreDto,
  ProductListQuery,
  StockAdjustmentDto,
  StoreListQuery,
  SuspendStoreDto,
  UpdateProductDto,
  UpdateStoreDto,
} from './dto';

/** The version an If-Match header names (`"3"`, `W/"3"` or `3`); undefined if absent. */
function versionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!m) throw badRequest('If-Match must name the product version you read, as its ETag gave it (e.g. "3")');
  return Number(m[1]);
}

/** The product with its version as its ETag. */
function withETag(res: Response, product: ProductView): ProductView {
  res.setHeader('ETag', `"${product.version}"`);
  return product;
}

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(
    private readonly products: ProductService,
    private readonly stock: StockService,
    private readonly stores: StoreService,
  ) {}

  @Post('stores')
  @Roles('ops')
  async createStore(@Body() body: CreateStoreDto) {
    return storeView(await this.stores.createStore(body), true);
  }

  @Get('stores')
  @Roles('ops')
  listStores(@Query() query: StoreListQuery) {
    return this.stores.listStores(query);
  }

  /** Public; the contact phone only for the store's seller and ops. */
  @Get('stores/:id')
  @Public()
  async getStore(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal | undefined) {
    return storeView(await this.stores.getStore(id), !!user && canActForStore(user, id));
  }

  @Patch('stores/:id')
  @Roles('seller', 'ops')
  editStore(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateStoreDto, @CurrentUser() user: Principal) {
    if (!Object.values(body).some((v) => v !== undefined))
      throw badRequest('name at least one field to change: name, description, contactPhone, township');
    return this.stores.editStore(user, id, body);
  }

  @Post('stores/:id/suspend')
  @HttpCode(200)
  @Roles('ops')
  suspend(@Param('id', ParseUUIDPipe) id: string, @Body() body: SuspendStoreDto) {
    return this.stores.suspend(id, body.reason);
  }

  @Post('stores/:id/reinstate')
  @HttpCode(200)
  @Roles('ops')
  reinstate(@Param('id', ParseUUIDPipe) id: string) {
    return this.stores.reinstate(id);
  }

  @Post('stores/:storeId/products')
  @Roles('seller', 'ops')
  createProduct(
    @Param('storeId', ParseUUIDPipe) storeId: string,
    @Body() body: CreateProductDto,
    @CurrentUser() user: Principal,
  ) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller may add products only to her own store');
    return this.products.createProduct(storeId, body, user.sub);
  }

  @Get('products')
  @Public()
  listProducts(@Query() query: ProductListQuery, @CurrentUser() user: Principal | undefined) {
    const includeArchived = query.includeArchived === 'true';
    // archived products are the store's business: her own store's (storeId), or any for ops
    if (includeArchived && !(user?.role === 'ops' || (user?.role === 'seller' && query.storeId === user.storeId)))
      throw forbidden('archived products are listed for the store’s seller (with her storeId) and ops only');
    return this.products.listProducts({ ...query, includeArchived });
  }

  @Get('products/:id')
  @Public()
  async getProduct(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) res: Response) {
    return withETag(res, await this.products.getProduct(id));
  }

  @Patch('products/:id')
  @Roles('seller', 'ops')
  @ApiHeader({ name: 'If-Match', required: true, description: 'the version (ETag) the change was made on' })
  @ApiResponse({ status: 412, description: 'the product changed since that version: nothing was changed' })
  @ApiResponse({ status: 428, description: 'If-Match is missing' })
  async editProduct(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateProductDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const version = versionOf(ifMatch);
    if (version === undefined)
      throw new ProblemException(
        428,
        'send If-Match with the product version you read (its ETag), so a change made meanwhile is not overwritten',
      );
    if (!Object.values(body).some((v) => v !== undefined))
      throw badRequest(
        'name at least one field to change: name, description, priceFen, pickupWithinHours, shelfLifeHours, leadTimeDays',
      );
    return withETag(res, await this.products.editProduct(user, id, version, body));
  }

  @Post('products/:id/archive')
  @HttpCode(200)
  @Roles('seller', 'ops')
  @ApiHeader({ name: 'If-Match', required: false })
  async archive(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withETag(res, await this.products.editProduct(user, id, versionOf(ifMatch), {}, true));
  }

  @Post('products/:id/unarchive')
  @HttpCode(200)
  @Roles('seller', 'ops')
  @ApiHeader({ name: 'If-Match', required: false })
  async unarchive(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withETag(res, await this.products.editProduct(user, id, versionOf(ifMatch), {}, false));
  }

  @Get('products/:id/changes')
  @Roles('seller', 'ops')
  productChanges(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: Principal) {
    return this.products.history(user, id);
  }

  @Post('products/:id/stock-adjustments')
  @Roles('seller', 'ops')
  async adjustStock(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: StockAdjustmentDto,
    @CurrentUser() user: Principal,
  ) {
    const product = await this.products.getProduct(id);
    if (!canActForStore(user, product.storeId)) throw forbidden('a seller may adjust stock only in her own store');
    return this.stock.adjustStock(id, body.delta, body.reason, user.sub);
  }
}
