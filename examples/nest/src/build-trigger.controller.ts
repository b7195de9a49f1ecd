import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IsAuthenticated, TokenAuthentication } from 'tessera-auth';
import { Authentication, Permissions } from 'tessera-auth/nest';

/**
 * The seed's BuildTrigger, declared as DRF's `APIView` would be: token authentication and
 * IsAuthenticated; POST answers 200 with an empty body, other methods 405 after the checks.
 */
@Controller('api/build-trigger')
@Authentication(TokenAuthentication)
@Permissions(IsAuthenticated)
export class BuildTriggerController {
  @Post()
  @HttpCode(200)
  trigger(@Req() request: Request): void {
    console.log(`build triggered by ${request.user.username}`);
  }
}
