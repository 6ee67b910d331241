import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IdFilter, IsId, PageQueryDto } from '@wgfleet/core';
import type { AssignmentEntity } from './assignment.entity.js';

const QUOTA_MESSAGE = 'must be an integer from 0 to 1000000, or null for unlimited';

export class CreateAssignmentDto {
  @IsId('server_id')
  server_id: number;

  @IsId('account_id')
  account_id: number;

  /** null or absent: unlimited. */
  @IsOptional()
  @IsInt({ message: `max_users ${QUOTA_MESSAGE}` })
  @Min(0, { message: `max_users ${QUOTA_MESSAGE}` })
  @Max(1_000_000, { message: `max_users ${QUOTA_MESSAGE}` })
  max_users?: number | null;

  /** null or absent: unlimited. */
  @IsOptional()
  @IsInt({ message: `max_port_forwards ${QUOTA_MESSAGE}` })
  @Min(0, { message: `max_port_forwards ${QUOTA_MESSAGE}` })
  @Max(1_000_000, { message: `max_port_forwards ${QUOTA_MESSAGE}` })
  max_port_forwards?: number | null;
}

export class ListAssignmentsQueryDto extends PageQueryDto {
  @IdFilter('server_id')
  server_id?: number;

  @IdFilter('account_id')
  account_id?: number;
}

export interface AssignmentDto {
  id: number;
  server_id: number;
  account_id: number;
  parent_assignment_id: number | null;
  max_users: number | null;
  max_port_forwards: number | null;
  created_at: string;
}

export function toAssignmentDto(assignment: AssignmentEntity): AssignmentDto {
  return {
    id: assignment.id,
    server_id: assignment.serverId,
    account_id: assignment.accountId,
    parent_assignment_id: assignment.parentAssignmentId,
    max_users: assignment.maxUsers,
    max_port_forwards: assignment.maxPortForwards,
    created_at: assignment.createdAt.toISOString(),
  };
}
