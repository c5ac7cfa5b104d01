import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { PageQueryDto, UuidParamPipe } from '@aihub/core';
import { CreateUserDto, SetRolesDto, UserPageView, UserView } from '../dto/identity.dto';
import { UsersService } from '../services/users.service';

class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

@ApiTags('identity')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Policy('create', 'User')
  @Post()
  @ApiCreatedResponse({ type: UserView })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, dto);
  }

  @Policy('read', 'User')
  @Get()
  @ApiOkResponse({
    type: UserPageView,
    description: 'Only users the caller may read (its own organization, or all for operators).',
  })
  list(@CurrentUser() actor: AuthenticatedActor, @Query() query: UserListQueryDto): Promise<UserPageView> {
    return this.users.list(actor, query);
  }

  @Policy('read', 'User')
  @Get(':id')
  @ApiOkResponse({ type: UserView })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  @Policy('update', 'User')
  @Put(':id/roles')
  @ApiOkResponse({ type: UserView })
  setRoles(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: SetRolesDto,
  ): Promise<UserView> {
    return this.users.setRoles(actor, id, dto.roles);
  }
}
