import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEntity } from '@aihub/identity';
import { NotificationsController } from './controllers/notifications.controller';
import { NotificationEntity } from './entities/notification.entity';
import { InboxService } from './services/inbox.service';
import { NotificationsService } from './services/notifications.service';

/**
 * In-app notifications. Global: any domain lib injects `NotificationsService` and calls
 * `notify(manager, …)` inside its own transaction (see docs/notifications.md). The worker can import
 * it as well (its controller is inert there).
 */
@Global()
@Module({
  // UserEntity too: recipients are resolved from users, and the worker may not import IdentityModule
  imports: [TypeOrmModule.forFeature([NotificationEntity, UserEntity])],
  controllers: [NotificationsController],
  providers: [NotificationsService, InboxService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
