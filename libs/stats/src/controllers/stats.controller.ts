import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@aihub/authz';
import { StatsView } from '../dto/stats.dto';
import { StatsService } from '../services/stats.service';

@ApiTags('platform')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'public, max-age=5')
  @ApiOkResponse({ type: StatsView, description: 'Platform statistics; public, cached a few seconds.' })
  get(): Promise<StatsView> {
    return this.stats.get();
  }
}
