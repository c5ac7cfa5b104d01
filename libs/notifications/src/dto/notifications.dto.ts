import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '@aihub/core';

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Only unread notifications.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'application.returned' }) kind: string;
  @ApiProperty({ example: '揭榜申请被退回修改' }) title: string;
  @ApiProperty({ type: String, nullable: true }) body: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Application' }) objectType: string | null;
  @ApiProperty({ type: String, nullable: true }) objectId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
}

export class NotificationPageView {
  @ApiProperty({ type: NotificationView, isArray: true, description: 'Newest first.' })
  items: NotificationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
  @ApiProperty({ description: "The caller's unread notifications in total (not only this page)." })
  unreadCount: number;
}

export class MarkAllReadView {
  @ApiProperty({ description: 'How many notifications this call marked read.' }) marked: number;
  @ApiProperty({ description: 'Unread notifications left (0 unless new ones arrived meanwhile).' })
  unreadCount: number;
}
