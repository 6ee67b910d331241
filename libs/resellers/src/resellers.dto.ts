import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Min } from 'class-validator';
import { IsId } from '@wgfleet/core';
import type { AssignmentEntity } from '@wgfleet/servers';

const NAME = /^[\p{L}\p{N} _.@'()&,+-]{1,100}$/u;

export class CreateCustomerDto {
  @ApiProperty({ maxLength: 100, example: 'Bob & Co.' })
  @IsString({ message: 'name must be a string' })
  @Matches(NAME, { message: "name must be 1–100 letters, digits, spaces or _.@'()&,+-" })
  name: string;
}

const COUNT_MESSAGE = (field: string) => `${field} must be a non-negative integer`;

/** Both quotas are required: a delegation always carves a definite share out of the reseller's. */
export class CreateDelegationDto {
  @ApiProperty({ minimum: 1, description: 'one of your customers' })
  @IsId('customer_id', 'customer_id must be the id of one of your customers (a positive integer)')
  customer_id: number;

  @ApiProperty({ minimum: 0, description: "reserved out of your own max_users on this server" })
  @IsInt({ message: COUNT_MESSAGE('max_users') })
  @Min(0, { message: COUNT_MESSAGE('max_users') })
  max_users: number;

  @ApiProperty({ minimum: 0, description: 'reserved out of your own max_port_forwards on this server' })
  @IsInt({ message: COUNT_MESSAGE('max_port_forwards') })
  @Min(0, { message: COUNT_MESSAGE('max_port_forwards') })
  max_port_forwards: number;
}

export interface DelegationDto {
  /** The customer's new assignment: the `{id}` the customer uses in /api/wg/servers/{id}/…. */
  id: number;
  assignment_id: number;
  customer_id: number;
  parent_assignment_id: number;
  max_users: number | null;
  max_port_forwards: number | null;
  created_at: string;
}

export function toDelegationDto(assignment: AssignmentEntity): DelegationDto {
  return {
    id: assignment.id,
    assignment_id: assignment.id,
    customer_id: assignment.accountId,
    parent_assignment_id: assignment.parentAssignmentId!,
    max_users: assignment.maxUsers,
    max_port_forwards: assignment.maxPortForwards,
    created_at: assignment.createdAt.toISOString(),
  };
}
