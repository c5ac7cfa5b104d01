export * from './notifications.module';
export * from './notification-kinds';
export * from './notifications.errors';
export * from './entities/notification.entity';
export * from './dto/notifications.dto';
export * from './services/notifications.service';
