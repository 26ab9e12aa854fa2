// Lets a courier webhook in only with a valid HMAC signature. A guard runs before body
// validation, so an unsigned caller learns nothing about the payload's shape: it gets 401.
import { CanActivate, ExecutionContext, HttpStatus, Injectable, RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from '@cc/platform';
import { FulfillmentConfig } from '../config';
import { COURIER_SIGNATURE_HEADER, isCourierSignatureValid } from '../domain/courier-signature';

@Injectable()
export class CourierSignatureGuard implements CanActivate {
  constructor(private readonly config: FulfillmentConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawBodyRequest<Request>>();
    if (
      !isCourierSignatureValid(request.rawBody, request.header(COURIER_SIGNATURE_HEADER), this.config.courierSecret)
    ) {
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        `the courier signature (${COURIER_SIGNATURE_HEADER}) is missing or wrong`,
      );
    }
    return true;
  }
}
