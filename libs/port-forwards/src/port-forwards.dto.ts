import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { IsOptionalNotNull, IsSingleLine } from '@wgfleet/core';
import type { PortForwardEntity, ForwardProtocol } from './port-forward.entity.js';

export const FORWARD_PROTOCOLS: readonly ForwardProtocol[] = ['tcp', 'udp', 'both'];
export const MAX_COMMENT_LENGTH = 100;

const PORT_MESSAGE = (field: string) => `${field} must be an integer between 1 and 65535`;

/**
 * Integers only: "443", 443.5, true, null and [443] are refused (no implicit conversion). A
 * field that is present must be valid; `null` is not the same as leaving it out.
 */
export class CreatePortForwardDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 65535, description: "omit to get the lowest free port of the server's range" })
  @IsOptionalNotNull()
  @IsInt({ message: PORT_MESSAGE('external_port') })
  @Min(1, { message: PORT_MESSAGE('external_port') })
  @Max(65535, { message: PORT_MESSAGE('external_port') })
  external_port?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 65535, description: 'defaults to external_port' })
  @IsOptionalNotNull()
  @IsInt({ message: PORT_MESSAGE('internal_port') })
  @Min(1, { message: PORT_MESSAGE('internal_port') })
  @Max(65535, { message: PORT_MESSAGE('internal_port') })
  internal_port?: number;

  @ApiPropertyOptional({ enum: FORWARD_PROTOCOLS, default: 'tcp', description: '"both" forwards tcp and udp' })
  @IsOptionalNotNull()
  @IsIn(FORWARD_PROTOCOLS as ForwardProtocol[], { message: 'protocol must be "tcp", "udp" or "both" (lowercase)' })
  protocol?: ForwardProtocol;

  @ApiPropertyOptional({ maxLength: MAX_COMMENT_LENGTH, default: '' })
  @IsOptionalNotNull()
  @IsString({ message: 'comment must be a string' })
  @IsSingleLine(MAX_COMMENT_LENGTH)
  comment?: string;
}

export interface PortForwardDto {
  id: number;
  user_id: number;
  assignment_id: number;
  public_ip: string;
  external_port: number;
  internal_port: number;
  protocol: ForwardProtocol;
  comment: string;
  created_at: string;
  provisioning: { state: 'pending' | 'active' | 'error'; error: string | null };
}

export function toPortForwardDto(forward: PortForwardEntity): PortForwardDto {
  return {
    id: forward.id,
    user_id: forward.userId,
    assignment_id: forward.assignmentId,
    public_ip: forward.publicIp,
    external_port: forward.externalPort,
    internal_port: forward.internalPort,
    protocol: forward.protocol,
    comment: forward.comment,
    created_at: forward.createdAt.toISOString(),
    provisioning: { state: forward.state, error: forward.stateError },
  };
}
