export * from './stats.module';
export * from './stats-contributor';
export * from './dto/stats.dto';
export * from './services/stats.service';
