import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  MarkAllReadView,
  NotificationPageView,
  NotificationQueryDto,
  NotificationView,
} from '../dto/notifications.dto';
import { InboxService } from '../services/inbox.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly inbox: InboxService) {}

  @Policy('read', 'Notification')
  @Get()
  @ApiOkResponse({ type: NotificationPageView, description: "The caller's own notifications, newest first." })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: NotificationQueryDto,
  ): Promise<NotificationPageView> {
    return this.inbox.list(actor, query);
  }

  @Policy('update', 'Notification')
  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkAllReadView })
  markAllRead(@CurrentUser() actor: AuthenticatedActor): Promise<MarkAllReadView> {
    return this.inbox.markAllRead(actor);
  }

  @Policy('update', 'Notification')
  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationView })
  @ApiNotFoundResponse({ description: 'NOTIFICATION_NOT_FOUND (also for notifications of other users)' })
  markRead(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<NotificationView> {
    return this.inbox.markRead(actor, id);
  }
}
