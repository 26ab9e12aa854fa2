import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { canActForStore, CurrentUser, forbidden, Principal, Public, Roles } from '@cc/platform';
import { ProductService } from '../domain/product.service';
import { StockService } from '../domain/stock.service';
import { CreateProductDto, CreateStoreDto, ProductListQuery, StockAdjustmentDto } from './dto';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(
    private readonly products: ProductService,
    private readonly stock: StockService,
  ) {}

  @Post('stores')
  @Roles('ops')
  createStore(@Body() body: CreateStoreDto) {
    return this.products.createStore(body);
  }

  @Get('stores/:id')
  @Public()
  getStore(@Param('id', ParseUUIDPipe) id: string) {
    return this.products.getStore(id);
  }

  @Post('stores/:storeId/products')
  @Roles('seller', 'ops')
  createProduct(@Param('storeId', ParseUUIDPipe) storeId: string, @Body() body: CreateProductDto, @CurrentUser() user: Principal) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller may add products only to her own store');
    return this.products.createProduct(storeId, body, user.sub);
  }

  @Get('products')
  @Public()
  listProducts(@Query() query: ProductListQuery) {
    return this.products.listProducts(query);
  }

  @Get('products/:id')
  @Public()
  getProduct(@Param('id', ParseUUIDPipe) id: string) {
    return this.products.getProduct(id);
  }

  @Post('products/:id/stock-adjustments')
  @Roles('seller', 'ops')
  async adjustStock(@Param('id', ParseUUIDPipe) id: string, @Body() body: StockAdjustmentDto, @CurrentUser() user: Principal) {
    const product = await this.products.getProduct(id);
    if (!canActForStore(user, product.storeId)) throw forbidden('a seller may adjust stock only in her own store');
    return this.stock.adjustStock(id, body.delta, body.reason, user.sub);
  }
}
