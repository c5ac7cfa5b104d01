import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiCreatedResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@aihub/authz';
import {
  LoginDto,
  RefreshDto,
  RegisterEnterpriseDto,
  RegisteredEnterpriseView,
  TokensView,
} from '../dto/identity.dto';
import { AuthService } from '../services/auth.service';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokensView })
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS' })
  @ApiTooManyRequestsResponse({ description: 'TOO_MANY_LOGIN_ATTEMPTS (Retry-After header)' })
  login(@Body() dto: LoginDto): Promise<TokensView> {
    return this.auth.login(dto);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({
    type: TokensView,
    description: 'A new access token and a new refresh token; the presented one is spent.',
  })
  @ApiUnauthorizedResponse({
    description: 'INVALID_REFRESH_TOKEN, or REFRESH_TOKEN_REUSED (the whole login is revoked)',
  })
  refresh(@Body() dto: RefreshDto): Promise<TokensView> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'The refresh token and every token rotated from the same login are revoked.',
  })
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.auth.logout(dto.refreshToken);
  }

  @Public()
  @Post('register-enterprise')
  @ApiCreatedResponse({ type: RegisteredEnterpriseView })
  registerEnterprise(@Body() dto: RegisterEnterpriseDto): Promise<RegisteredEnterpriseView> {
    return this.auth.registerEnterprise(dto);
  }
}
