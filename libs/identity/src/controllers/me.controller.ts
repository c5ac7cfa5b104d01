import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthenticatedActor, CurrentUser } from '@aihub/authz';
import { MeView } from '../dto/identity.dto';
import { UsersService } from '../services/users.service';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Authenticated()
  @Get()
  @ApiOkResponse({ type: MeView })
  me(@CurrentUser() actor: AuthenticatedActor): Promise<MeView> {
    return this.users.me(actor);
  }
}
