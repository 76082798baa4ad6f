import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EnrollRequest, SiteAddRequest, SiteRevokeRequest } from '@unbox/protocol';
import { AdminGuard, ProtocolPipe } from '../app/http.js';
import { schemaOf } from '../app/openapi.js';
import { ENROLLMENT, GATEWAY } from '../app/tokens.js';
import type { SiteGateway } from '../gateway/site-gateway.js';
import type { EnrollmentService } from './enrollment.service.js';

@ApiTags('enrollment')
@Controller('api')
export class EnrollmentController {
  constructor(@Inject(ENROLLMENT) private readonly sites: EnrollmentService) {}

  @Post('enroll')
  @HttpCode(200)
  @ApiOperation({ summary: 'A site trades its one-time token for registering its Ed25519 public key (unbox-site enroll)' })
  @ApiBody({ schema: schemaOf('enroll.request') })
  enroll(@Body(new ProtocolPipe('enroll.request')) body: EnrollRequest) {
    return this.sites.enroll(body);
  }
}

@ApiTags('sites')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/sites')
export class SitesController {
  constructor(
    @Inject(ENROLLMENT) private readonly sites: EnrollmentService,
    @Inject(GATEWAY) private readonly gateway: SiteGateway,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a site: returns its one-time enrollment token' })
  @ApiBody({ schema: schemaOf('site.add') })
  add(@Body(new ProtocolPipe('site.add')) body: SiteAddRequest) {
    return this.sites.addSite(body);
  }

  @Get()
  @ApiOperation({ summary: 'List sites with status and connection' })
  async list() {
    return { sites: await this.sites.list() };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a site: its connection is closed and it can never authenticate again' })
  @ApiBody({ schema: schemaOf('site.revoke') })
  async revoke(@Param('id') id: string, @Body() body: unknown) {
    const req = new ProtocolPipe('site.revoke').transform({ ...(body && typeof body === 'object' ? body : {}), site_id: id }) as SiteRevokeRequest;
    await this.sites.revoke(req.site_id, req.reason);
    this.gateway.disconnect(req.site_id, `site '${req.site_id}' was revoked`);
    return { site_id: req.site_id, status: 'revoked' };
  }
}
