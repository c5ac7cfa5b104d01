export * from './audit.module';
export * from './entities/audit-event.entity';
export * from './services/audit.service';
export * from './dto/audit.dto';
