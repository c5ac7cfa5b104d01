import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { PageQueryDto, UuidParamPipe } from '@aihub/core';
import { CreateOrganizationDto, OrganizationPageView, OrganizationView } from '../dto/identity.dto';
import { OrganizationsService } from '../services/organizations.service';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Policy('create', 'Organization')
  @Post()
  @ApiCreatedResponse({ type: OrganizationView })
  create(
    @CurrentUser() actor: AuthenticatedActor,
    @Body() dto: CreateOrganizationDto,
  ): Promise<OrganizationView> {
    return this.organizations.create(actor, dto);
  }

  @Policy('read', 'Organization')
  @Get()
  @ApiOkResponse({ type: OrganizationPageView, description: 'Only organizations the caller may read.' })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: PageQueryDto,
  ): Promise<OrganizationPageView> {
    return this.organizations.list(actor, query);
  }

  @Policy('read', 'Organization')
  @Get(':id')
  @ApiOkResponse({ type: OrganizationView })
  get(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<OrganizationView> {
    return this.organizations.get(actor, id);
  }
}
