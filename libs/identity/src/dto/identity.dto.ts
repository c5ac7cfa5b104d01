import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { ORGANIZATION_TYPES, OrganizationType, Role, ROLES } from '@aihub/authz';
import { isValidCreditCode } from '../credit-code';

function IsCreditCode(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCreditCode',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an 18-character unified social credit code with a valid check character`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidCreditCode(value) },
    });
}

// at least 10 characters with a letter and a digit; long passphrases are welcome
const PASSWORD = /^(?=.*[A-Za-z])(?=.*\d).{10,128}$/s;
const PASSWORD_MESSAGE = 'password must be 10-128 characters and contain a letter and a digit';

export class LoginDto {
  @ApiProperty({ example: 'enterprise@demo.aihub' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Demo#2026' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  refreshToken: string;
}

export class CreateOrganizationDto {
  @ApiProperty({ example: '深圳智城科技有限公司' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ORGANIZATION_TYPES })
  @IsIn(ORGANIZATION_TYPES)
  type: OrganizationType;

  @ApiPropertyOptional({
    description: 'Unified social credit code (GB 32100); required for enterprises.',
    example: '91440300MA5FXXXXXX',
  })
  @IsOptional()
  @IsCreditCode()
  creditCode?: string;
}

/** A person's login fields: self-registration uses them as they are; operators add organization and roles. */
export class RegisterEnterpriseUserDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ description: PASSWORD_MESSAGE })
  @IsString()
  @Matches(PASSWORD, { message: PASSWORD_MESSAGE })
  password: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  displayName: string;
}

export class CreateUserDto extends RegisterEnterpriseUserDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organizationId: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];
}

export class SetRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];
}

export class RegisterEnterpriseOrganizationDto {
  @ApiProperty({ example: '深圳鹏程数智科技有限公司' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: 'Unified social credit code (GB 32100).' })
  @IsCreditCode()
  creditCode: string;
}

export class RegisterEnterpriseDto {
  @ApiProperty({ type: RegisterEnterpriseOrganizationDto })
  @ValidateNested()
  @Type(() => RegisterEnterpriseOrganizationDto)
  organization: RegisterEnterpriseOrganizationDto;

  @ApiProperty({ type: RegisterEnterpriseUserDto })
  @ValidateNested()
  @Type(() => RegisterEnterpriseUserDto)
  user: RegisterEnterpriseUserDto;
}

// ---- responses ----

export class OrganizationSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ORGANIZATION_TYPES }) type: OrganizationType;
}

export class OrganizationView extends OrganizationSummaryView {
  @ApiProperty({ type: String, nullable: true }) creditCode: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty({ type: OrganizationSummaryView }) organization: OrganizationSummaryView;
}

export class TokensView {
  @ApiProperty({ description: 'JWT, valid 15 minutes' }) accessToken: string;
  @ApiProperty({ description: 'Opaque; single use, rotated on refresh' }) refreshToken: string;
  @ApiProperty() accessTokenExpiresAt: string;
  @ApiProperty({ type: MeView }) user: MeView;
}

export class RegisteredEnterpriseView {
  @ApiProperty({ type: OrganizationView }) organization: OrganizationView;
  @ApiProperty({ type: UserView }) user: UserView;
}

export class OrganizationPageView {
  @ApiProperty({ type: OrganizationView, isArray: true }) items: OrganizationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class UserPageView {
  @ApiProperty({ type: UserView, isArray: true }) items: UserView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
