import { Controller, HttpCode, Post } from '@nestjs/common';
import { IsAuthenticated, type RequestUser, TokenAuthentication } from 'tessera-auth';
import { Authentication, Permissions, TesseraUser } from 'tessera-auth/nest';

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
  trigger(@TesseraUser() user: RequestUser): void {
    console.log(`build triggered by ${user.username}`);
  }
}
