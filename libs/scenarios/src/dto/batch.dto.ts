import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { BATCH_STATES, type BatchState } from '../lifecycle/state-machine';

export class CreateBatchDto {
  @ApiProperty({ example: 3, description: 'the batch number N of 第N期需求清单' })
  @IsInt()
  @Min(1)
  @Max(9999)
  number: number;

  @ApiProperty({ example: '2026年第三期AI应用场景需求清单' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  title: string;
}

export class BatchView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() number: number;
  @ApiProperty() title: string;
  @ApiProperty({ enum: BATCH_STATES }) status: BatchState;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class BatchPageView {
  @ApiProperty({ type: BatchView, isArray: true }) items: BatchView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
