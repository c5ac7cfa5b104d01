import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A refresh token; only the SHA-256 of its secret is stored. Tokens of one login form a family:
 * presenting an already-rotated token revokes the whole family (it was stolen or replayed).
 */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_refresh_tokens_user_id')
  @Column({ type: 'uuid' })
  userId: string;

  @Index('idx_refresh_tokens_family_id')
  @Column({ type: 'uuid' })
  familyId: string;

  @Column({ type: 'char', length: 64 })
  secretHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  createdIp: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
