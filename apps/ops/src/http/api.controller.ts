// The console's JSON API, for the ops role only (Bearer token or the console's login cookie).
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles, tokenOf } from '@cc/platform';
import { ConsumerLagService } from '../domain/consumer-lag.service';
import { DeadLettersService } from '../domain/dead-letters.service';
import { PlatformOverviewService } from '../domain/platform-overview.service';
import { PlatformStatusService } from '../domain/platform-status.service';
import { OrderTimelineService } from '../domain/order-timeline.service';
import { ChartsService } from '../domain/charts.service';
import { QueuesService } from '../domain/queues.service';
import { AuditLog } from '../persistence/audit-log';
import { ServiceAdminClient } from '../persistence/service-admin.client';
import { ParkDto, ReconciliationLinesDto, RedriveAllDto, RedriveDto, StatementUploadDto } from './dto';

@ApiTags('operations console')
@ApiBearerAuth()
@Controller('api')
@Roles('ops')
export class ApiController {
  constructor(
    private readonly queues: QueuesService,
    private readonly lag: ConsumerLagService,
    private readonly deadLetters: DeadLettersService,
    private readonly overview: PlatformOverviewService,
    private readonly audit: AuditLog,
    private readonly platformStatus: PlatformStatusService,
    private readonly timelines: OrderTimelineService,
    private readonly services: ServiceAdminClient,
    private readonly charts: ChartsService,
  ) {}

  /** The last hour: orders per minute by status, consumer lag, outbox age, checkout latency. */
  @Get('charts')
  lastHour() {
    return this.charts.lastHour();
  }

  /** An order's life across the four services in time order; a checkout or store id lists its orders. */
  @Get('timeline/:id')
  timeline(@Param('id', ParseUUIDPipe) id: string) {
    return this.timelines.find(id);
  }

  /** The status strip: each service, its consumer group, outbox, dead letters, failed jobs; green, amber or red. */
  @Get('status')
  status() {
    return this.platformStatus.status();
  }

  @Get('queues')
  listQueues() {
    return this.queues.overview();
  }

  @Post('queues/:queue/jobs/:jobId/retry')
  @HttpCode(200)
  retryJob(@Param('queue') queue: string, @Param('jobId') jobId: string, @CurrentUser() user: Principal) {
    return this.queues.retryJob(user, queue, jobId);
  }

  @Post('queues/:queue/retry-failed')
  @HttpCode(200)
  retryAll(@Param('queue') queue: string, @CurrentUser() user: Principal) {
    return this.queues.retryAll(user, queue);
  }

  @Post('queues/:queue/pause')
  @HttpCode(200)
  pause(@Param('queue') queue: string, @CurrentUser() user: Principal) {
    return this.queues.setPaused(user, queue, true);
  }

  @Post('queues/:queue/resume')
  @HttpCode(200)
  resume(@Param('queue') queue: string, @CurrentUser() user: Principal) {
    return this.queues.setPaused(user, queue, false);
  }

  @Get('kafka')
  consumerGroups() {
    return this.lag.groups();
  }

  @Get('dead-letters')
  listDeadLetters() {
    return this.deadLetters.overview();
  }

  @Post('dead-letters/:topic/redrive')
  @HttpCode(200)
  redriveOne(@Param('topic') topic: string, @Body() body: RedriveDto, @CurrentUser() user: Principal) {
    return this.deadLetters.redriveOne(user, topic, body.partition, body.offset);
  }

  @Post('dead-letters/:topic/redrive-all')
  @HttpCode(200)
  redriveAll(@Param('topic') topic: string, @Body() body: RedriveAllDto, @CurrentUser() user: Principal) {
    return this.deadLetters.redriveAll(user, topic, body);
  }

  @Get('dead-letters/:topic/:partition/:offset')
  deadLetter(
    @Param('topic') topic: string,
    @Param('partition', ParseIntPipe) partition: number,
    @Param('offset') offset: string,
  ) {
    return this.deadLetters.show(topic, partition, offset);
  }

  @Post('dead-letters/:topic/park')
  @HttpCode(200)
  park(@Param('topic') topic: string, @Body() body: ParkDto, @CurrentUser() user: Principal) {
    return this.deadLetters.park(user, topic, body.partition, body.offset, body.reason);
  }

  @Get('outbox')
  outbox() {
    return this.overview.outbox();
  }

  @Get('processes')
  processes() {
    return this.overview.processes();
  }

  @Get('fresh-at-risk')
  freshAtRisk() {
    return this.overview.freshAtRisk();
  }

  @Get('finance')
  finance() {
    return this.overview.finance();
  }

  /** Finance uploads the provider's statement (read in the browser, sent here as text): payouts matches it, as her. */
  @Post('reconciliations')
  async uploadStatement(@Body() body: StatementUploadDto, @Req() req: Request, @Res() res: Response) {
    const period = new URLSearchParams({
      ...(body.from ? { from: body.from } : {}),
      ...(body.to ? { to: body.to } : {}),
    }).toString();
    const answer = await this.services.forward(
      'payouts',
      'POST',
      `/reconciliations${period ? `?${period}` : ''}`,
      tokenOf(req)!,
      { text: body.csv, type: 'text/csv' },
    );
    res.status(answer.status).type(answer.type).send(answer.text);
  }

  @Get('reconciliations/:id')
  async reconciliation(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response) {
    const answer = await this.services.forward('payouts', 'GET', `/reconciliations/${id}?format=json`, tokenOf(req)!);
    res.status(answer.status).type(answer.type).send(answer.text);
  }

  /** One class of the report, line by line (or all lines): the drill-down. */
  @Get('reconciliations/:id/lines')
  async reconciliationLines(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ReconciliationLinesDto,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const answer = await this.services.forward(
      'payouts',
      'GET',
      `/reconciliations/${id}/lines${query.class ? `?class=${query.class}` : ''}`,
      tokenOf(req)!,
    );
    res.status(answer.status).type(answer.type).send(answer.text);
  }

  @Get('reconciliations/:id/csv')
  async reconciliationCsv(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response) {
    const answer = await this.services.forward('payouts', 'GET', `/reconciliations/${id}?format=csv`, tokenOf(req)!);
    if (answer.status === 200) res.setHeader('content-disposition', `attachment; filename="reconciliation-${id}.csv"`);
    res.status(answer.status).type(answer.type).send(answer.text);
  }

  @Get('audit')
  auditLog() {
    return this.audit.latest();
  }
}
