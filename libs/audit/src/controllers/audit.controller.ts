import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { AuditEventPageView, AuditEventQueryDto } from '../dto/audit.dto';
import { AuditQueryService } from '../services/audit-query.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly query: AuditQueryService) {}

  @Policy('read', 'AuditEvent')
  @Get('events')
  @ApiOkResponse({ type: AuditEventPageView, description: 'Newest first.' })
  events(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() q: AuditEventQueryDto,
  ): Promise<AuditEventPageView> {
    return this.query.list(actor, q);
  }
}
