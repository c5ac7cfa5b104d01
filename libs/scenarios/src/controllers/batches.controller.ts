import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { PageQueryDto, UuidParamPipe } from '@aihub/core';
import { BatchPageView, BatchView, CreateBatchDto } from '../dto/batch.dto';
import { BatchesService } from '../services/batches.service';

@ApiTags('scenarios')
@ApiBearerAuth()
@Controller('batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Policy('create', 'Batch')
  @Post()
  @ApiCreatedResponse({ type: BatchView, description: 'A draft batch (operator).' })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiConflictResponse({ description: 'BATCH_NUMBER_TAKEN' })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateBatchDto): Promise<BatchView> {
    return this.batches.create(actor, dto);
  }

  @Policy('publish', 'Batch')
  @Post(':id/publish')
  @HttpCode(200)
  @ApiOkResponse({ type: BatchView })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'BATCH_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION (already published)' })
  publish(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<BatchView> {
    return this.batches.publish(actor, id);
  }

  @Public()
  @Get()
  @ApiOkResponse({
    type: BatchPageView,
    description: 'Published batches (operators also see drafts); newest first.',
  })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<BatchPageView> {
    return this.batches.list(actor, query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: BatchView })
  @ApiNotFoundResponse({ description: 'BATCH_NOT_FOUND (also for drafts the caller may not see)' })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<BatchView> {
    return this.batches.get(actor, id);
  }
}
